"""Official documents and attachments as pages show them: the documents of the user's scope (searchable by number
and symbol — số/ký hiệu — or summary — trích yếu), a record's attachments, and the one attachment a user asks to open.

A document is in scope through its issuing commune (``document`` in :data:`hopnhat.serve.security.scope.PLACE`).
An attachment is reachable only through a record the user may see: the record is fetched through the scope first,
then its source records' references are read from the file ledger — a content hash typed by hand under another
record gives nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hopnhat.files.shelf import Attachment, FileShelf
from hopnhat.load.storedb import StoreReader
from hopnhat.serve.pagedata.records import Catalogue, Records
from hopnhat.serve.security.scope import Scope, predicate

MAX_QUERY = 200
LIST_COLUMNS = ("record_id", "src_source", "src_key", "number_symbol", "doc_type", "issuing_body", "issued_date",
                "summary", "direction", "issuing_commune_new_commune_code")


def record_keys(members: list[dict[str, Any]]) -> list[tuple[str, str, list[str]]]:
    """(source, table, keys) of a record's source records: the ledger keys a reference by the record's source key,
    or by its row number when the table has no plain key."""
    return [(str(m.get("src_source")), str(m.get("src_table")),
             [str(m[k]) for k in ("src_key", "src_row") if m.get(k) is not None]) for m in members]


@dataclass
class Documents:
    reader: StoreReader
    catalogue: Catalogue
    records: Records
    shelf: FileShelf
    row_limit: int

    def search(self, q: str, scope: Scope) -> list[dict[str, Any]]:
        """Documents in scope whose number/symbol or summary holds ``q`` (all of them, newest first, when empty)."""
        if not self.catalogue.has("document"):
            return []
        columns = self.catalogue.columns("document")
        cond, params = predicate(scope, self.reader.dialect, "document", columns)
        where, args = "TRUE", []
        text = q.strip()[:MAX_QUERY]
        if text:
            where = "(lower(number_symbol) LIKE ? OR lower(summary) LIKE ?)"
            like = "%" + text.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
            args = [like, like]
        shown = ", ".join(f'"{c}"' for c in LIST_COLUMNS if c in columns)
        return self.reader.rows(f'SELECT {shown} FROM "document" WHERE {where} AND {cond} '
                                "ORDER BY issued_date DESC NULLS LAST, number_symbol", [*args, *params],
                                limit=self.row_limit)

    def attachments(self, members: list[dict[str, Any]]) -> list[Attachment]:
        return self.shelf.attachments(record_keys(members))

    def attachment(self, entity: str, key: str, sha256: str, scope: Scope) -> Attachment | None:
        """The served attachment with this content among the record's (None: not there, or not in scope)."""
        _, members = self.records.members(entity, key, scope)
        return next((a for a in self.attachments(members) if a.served and a.sha256 == sha256), None)
