"""What a file is, read from its content (magic bytes through ``filetype``), not from its name; and whether it is whole.

A file is judged on its first and last bytes only (``HEAD`` and ``TAIL``), so a 2 GB scan costs no more memory than a
2 kB one. The ending checks are the formats' own end markers: a PDF ends with ``%%EOF``, a JPEG with the EOI marker
``FF D9``, a PNG with its ``IEND`` chunk, a ZIP (DOCX, XLSX, ODT…) with its end-of-central-directory record.
"""

from __future__ import annotations

from dataclasses import dataclass

import filetype  # type: ignore[import-untyped]

from hopnhat.i18n import tr

HEAD = 8192  # filetype reads at most this many leading bytes
TAIL = 65_557  # a ZIP comment may be up to 65,535 bytes after the 22-byte end record

# the extensions each detected kind may carry (a mismatch sends the file to quarantine)
EXTENSIONS: dict[str, frozenset[str]] = {
    "pdf": frozenset({"pdf"}),
    "jpg": frozenset({"jpg", "jpeg", "jpe", "jfif"}),
    "png": frozenset({"png"}),
    "tif": frozenset({"tif", "tiff"}),
    "gif": frozenset({"gif"}),
    "bmp": frozenset({"bmp"}),
    "zip": frozenset({"zip"}),
    "docx": frozenset({"docx", "docm"}),
    "xlsx": frozenset({"xlsx", "xlsm"}),
    "pptx": frozenset({"pptx"}),
    "odt": frozenset({"odt"}),
    "ods": frozenset({"ods"}),
    "doc": frozenset({"doc", "xls", "ppt", "msg"}),  # OLE2 compound file: filetype names them all "doc"
}
_ZIP_FAMILY = frozenset({"zip", "docx", "xlsx", "pptx", "odt", "ods", "epub", "jar"})
# filetype's own matchers, the kinds that fill the archives (scans and signed papers) tried first: its default order
# walks some fifty other matchers (the ZIP family's costly ones among them) before PDF, 0.2 ms a file
_COMMON = ("pdf", "jpg", "png")
MATCHERS = sorted(filetype.types, key=lambda t: _COMMON.index(t.extension) if t.extension in _COMMON else len(_COMMON))


@dataclass(frozen=True)
class Verdict:
    """The detected kind and MIME type (None when unknown), and the reason the file is refused (None when kept)."""

    kind: str | None
    mime: str | None
    problem: str | None = None


def _ending_problem(kind: str, tail: bytes) -> str | None:
    if kind == "pdf" and b"%%EOF" not in tail[-1024:]:
        return tr("PDF bị cắt cụt (không có %%EOF ở cuối)", "truncated PDF (no %%EOF at the end)")
    if kind == "jpg" and not tail.rstrip(b"\x00").endswith(b"\xff\xd9"):
        return tr("JPEG bị cắt cụt (không có dấu kết thúc FFD9)", "truncated JPEG (no FFD9 end marker)")
    if kind == "png" and not tail.endswith(b"IEND\xaeB`\x82"):
        return tr("PNG bị cắt cụt (không có khối IEND)", "truncated PNG (no IEND chunk)")
    if kind in _ZIP_FAMILY and b"PK\x05\x06" not in tail:
        return tr("tệp nén (ZIP/DOCX…) bị cắt cụt (không có bản ghi kết thúc thư mục)",
                  "truncated ZIP/DOCX… (no end-of-central-directory record)")
    return None


def _extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def judge(name: str, size: int, head: bytes, tail: bytes) -> Verdict:
    """The verdict on a file named ``name`` of ``size`` bytes whose first bytes are ``head`` and last ``tail``."""
    if size == 0:
        return Verdict(None, None, tr("tệp rỗng (0 byte)", "empty file (0 bytes)"))
    found = filetype.match(head, MATCHERS) if head else None
    kind, mime = (found.extension, found.mime) if found is not None else (None, None)
    ext = _extension(name)
    if kind is None:
        if ext in {e for exts in EXTENSIONS.values() for e in exts}:
            return Verdict(None, None, tr(f"nội dung không phải tệp .{ext} (không nhận ra định dạng)",
                                          f"content is not a .{ext} file (format not recognised)"))
        return Verdict(None, None)  # an unknown kind with an unknown extension (a .txt, a .xml) is kept as it is
    if ext and ext not in EXTENSIONS.get(kind, frozenset({kind})):
        return Verdict(kind, mime, tr(f"đuôi .{ext} nhưng nội dung là {kind}",
                                      f"named .{ext} but the content is {kind}"))
    return Verdict(kind, mime, _ending_problem(kind, tail))
