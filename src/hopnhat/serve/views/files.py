"""Official documents and attachments: the document list of the user's scope, and opening one attachment of a record
(inline for the browser's own PDF viewer or an ``<img>``, or as a download) — scoped like the record, written to the
audit log, and refused to roles that may not see identity scans."""

from __future__ import annotations

import itertools
import re
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse

from hopnhat.files.shelf import Attachment, ContentChanged, FileShelf
from hopnhat.i18n import tr
from hopnhat.serve.app.deps import Forbidden, NotFound, client_ip, ctx_of, need, render
from hopnhat.serve.app.openapi import FILE_RESPONSES
from hopnhat.serve.pagedata.documents import MAX_QUERY, Documents
from hopnhat.serve.pagedata.records import PAGE_ENTITIES
from hopnhat.serve.security import audit
from hopnhat.serve.security.roles import can
from hopnhat.serve.security.users import User

router = APIRouter()
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def documents_of(request: Request) -> Documents:
    ctx = ctx_of(request)
    return Documents(ctx.reader, ctx.catalogue, ctx.records, FileShelf(ctx.project), ctx.settings.row_limit)


@router.get("/documents")
def documents_page(request: Request, q: str = Query("", max_length=MAX_QUERY),
                   user: User = Depends(need("lookup"))) -> Response:
    ctx = ctx_of(request)
    rows = documents_of(request).search(q, ctx.scope(user))
    audit.append(ctx.db, user.name, "document_list", client_ip(request), {"q": q, "results": len(rows)})
    return render(request, "documents.html", q=q, rows=rows)


def _disposition(attachment: Attachment, download: bool) -> str:
    how = "attachment" if download or attachment.preview is None else "inline"
    ascii_name = attachment.name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"{how}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(attachment.name, safe='')}"


@router.get("/files/{entity}/{sha}/{key:path}", responses=FILE_RESPONSES)
def open_file(request: Request, entity: str, sha: str, key: str, download: bool = False,
              user: User = Depends(need("lookup"))) -> Response:
    """One attachment of a record the user may see; identity scans only for the roles allowed to see them."""
    ctx = ctx_of(request)
    found = documents_of(request).attachment(entity, key, sha, ctx.scope(user)) \
        if entity in PAGE_ENTITIES and SHA256.match(sha) else None
    if found is None:
        raise NotFound()
    detail = {"entity": entity, "key": key, "sha256": sha, "name": found.name, "column": found.column}
    if found.identity and not can(user.role, "identity_scans"):
        raise Forbidden("file_refused", detail)  # one entry, written by the app's refusal handler
    body = FileShelf(ctx.project).read_verified(sha)
    try:
        first = next(body, b"")  # a content of one chunk is re-hashed whole before anything is sent
    except (ContentChanged, FileNotFoundError) as exc:
        audit.append(ctx.db, user.name, "file_changed", client_ip(request), {**detail, "reason": str(exc)})
        return render(request, "error.html", http_status=500, code=500,
                      message=tr("Tệp trong kho đã bị thay đổi hoặc mất nên không được gửi; hãy báo quản trị.",
                                 "The stored file changed or vanished, so it is not sent; tell an administrator."))
    audit.append(ctx.db, user.name, "file_download" if download else "file_view", client_ip(request), detail)
    inline = not download and found.preview is not None
    media = found.mime if inline and found.mime else "application/octet-stream"
    headers = {"Content-Disposition": _disposition(found, download), "Content-Length": str(found.size),
               "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}
    # a larger content that changed is cut short before its last chunk (the response stays below Content-Length)
    return StreamingResponse(itertools.chain([first], body), media_type=media, headers=headers)
