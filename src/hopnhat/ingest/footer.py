"""Where a report's records end: the footer row that states its total ("Tổng cộng: 1.234 hồ sơ", "Tổng số: 812")
and the signature block below it ("Người lập biểu", "Thủ trưởng đơn vị", "Đà Nẵng, ngày 15 tháng 7 năm 2025", a
name under a signature) — a claim about the records above and the people who signed them, never records.

The old one-stop-shop and civil-status systems end their reports so, in Excel and in CSV alike: the label and the
number in one cell or two, often merged across the row, every other cell blank; then the signatures. One rule for
both readers (:class:`ReportEnd`): :func:`footer_total` tells a footer by its cells alone; a row below a footer is
part of its signature block only when every cell it fills is a signer's title, a "(Ký, ghi rõ họ tên)" line, a
place and date, or — once a title was seen — a person's name or a line of the recipients' list under "Nơi nhận:"
("- Lưu: VT."); the first row that is none of these ends the block
(a subtotal's footer followed by more records). Nothing above a footer is ever judged a signature: a data row is
never guessed at. Cells are read as the reader gives them and, when that text is the Windows-1252 view of legacy
bytes (a CSV in code page 1258, TCVN3 or VNI), also as those encodings read it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Literal

from hopnhat.errors import HopnhatError
from hopnhat.ingest.cells import parse_count
from hopnhat.text.legacy import decode

_NOUN = r"(?:hồ\s+sơ|người|bản\s+ghi|dòng|trường\s+hợp|hộ|thửa(?:\s+đất)?|văn\s+bản|công\s+dân|doanh\s+nghiệp)"
_FOOTER = re.compile(rf"^(?:tổng\s+cộng|tổng\s+số|tổng|cộng)(?:\s+{_NOUN})?\s*[:：]?\s*"
                     rf"(\d{{1,3}}(?:[., \u00a0]\d{{3}})+|\d+)\s*(?:{_NOUN})?\s*\.?$", re.IGNORECASE)
_TITLE = re.compile(r"^(?:người\s+(?:lập(?:\s+(?:biểu|bảng|báo\s+cáo|danh\s+sách))?|kiểm\s+tra|duyệt|ghi\s+sổ|"
                    r"tổng\s+hợp|giao|nhận)|thủ\s+trưởng(?:\s+(?:đơn\s+vị|cơ\s+quan))?|kế\s+toán(?:\s+trưởng)?|"
                    r"(?:phó\s+)?(?:giám\s+đốc|chủ\s+tịch|trưởng\s+phòng|trưởng\s+ban|chánh\s+văn\s+phòng)|"
                    r"(?:kt|tm|tl|tuq|q|ktl)\s*\.\s*\S.{0,60}|xác\s+nhận\s+của\s+.{1,60}|"
                    r"(?:cán\s+bộ|công\s+chức)\s+.{1,40}|nơi\s+nhận)\s*:?$", re.IGNORECASE)
_SIGN_HINT = re.compile(r"^[(\[]\s*(?:đã\s+)?ký\b[^)\]]{0,60}[)\]]$", re.IGNORECASE)
_RECIPIENT = re.compile(r"^[-–+•]\s*\S.{0,80}$")  # "- Như trên;", "- Lưu: VT." under "Nơi nhận:"
_DATE_LINE = re.compile(r"^(?:[^,\d]{1,40},\s*)?ngày\b.{0,20}\btháng\b.{0,20}\bnăm\b.{0,12}$", re.IGNORECASE)
_LEGACY = ("cp1258", "tcvn3", "vni")  # how old systems' bytes read when the reader gave their Windows-1252 view
_DIGIT = re.compile(r"\d")

Kind = Literal["record", "declared", "footer", "signature"]
REPORT_CODES = ("footer_total", "signature_block")  # the quarantine reasons of a report's own rows (no records)


def _view_bytes(text: str) -> bytes | None:
    """The bytes whose Windows-1252 view ``text`` is (None: it is no such view)."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1252")
        except UnicodeEncodeError:
            if ord(char) > 0xFF:
                return None
            out.append(ord(char))
    return bytes(out)


def _readings(cells: list[str]) -> Iterator[list[str]]:
    """The row as read, then as each legacy encoding reads its bytes (when it is their Windows-1252 view)."""
    yield [unicodedata.normalize("NFC", c) for c in cells]
    if all(c.isascii() for c in cells):
        return
    data = [_view_bytes(c) for c in cells]
    if any(d is None for d in data):
        return
    for encoding in _LEGACY:
        try:
            yield [decode(d or b"", encoding) for d in data]
        except (HopnhatError, ValueError):
            continue


def _filled(texts: Sequence[str | None]) -> list[str]:
    return [t.strip() for t in texts if t is not None and t.strip()]


def _may_be_footer(cells: list[str]) -> bool:
    """Cheap: a footer's label starts with T or C in every encoding, and it holds a digit."""
    return 0 < len(cells) <= 3 and cells[0][:1] in "TtCc" and any(_DIGIT.search(c) for c in cells)


def footer_total(texts: Sequence[str | None]) -> tuple[str, int] | None:
    """The number a footer row states (as written, and as a count), or None when the row is no such footer."""
    cells = _filled(texts)
    if not _may_be_footer(cells):
        return None
    for reading in _readings(cells):
        found = _FOOTER.match(" ".join(reading))
        value = parse_count(found.group(1)) if found else None
        if found is not None and value is not None:
            return found.group(1), value
    return None


def _name(text: str) -> bool:
    """A person's name as written under a signature: two to six words of letters, each capitalised."""
    words = text.split()
    return 2 <= len(words) <= 6 and all(w.isalpha() and w[0].isupper() and (w[1:].islower() or w.isupper())
                                        for w in words)


def _signature_cells(cells: list[str], titled: bool) -> tuple[bool, bool] | None:
    """Whether every cell is a signer's title, a signing hint, a place and date, or (``titled``) a name or a line of
    the recipients' list ("- Lưu: VT."); and whether a title is among them. None when some cell is none of these."""
    for reading in _readings(cells):
        kinds = []
        for cell in reading:
            if _TITLE.match(cell) or _SIGN_HINT.match(cell):
                kinds.append("title")
            elif _DATE_LINE.match(cell):
                kinds.append("date")
            elif _name(cell) or _RECIPIENT.match(cell):
                kinds.append("name")
            else:
                break
        else:
            has_title = "title" in kinds
            if "name" not in kinds or titled or has_title:
                return True, has_title
    return None


class ReportEnd:
    """The footer total and the signature block of one table, row by row in file order (both readers' one rule).

    ``declares``: the table's ``declared_total: footer`` — the last footer is then its count, not a row. A report
    grouped by unit closes each group with a subtotal ("Cộng: 12 hồ sơ") and the whole with the grand total below
    them all, so a footer with another one below it was a subtotal: the reader then yields it as a ``footer_total``
    row (:meth:`take_subtotal`). Rows below the last footer that are neither signatures nor footers (a note) do not
    take the count away."""

    def __init__(self, declares: bool) -> None:
        self.declares = declares
        # the footer total met first (the last one where the table declares its count): row, number as written, count
        self.footer: tuple[int, str, int] | None = None
        self._subtotal: int | None = None  # the row of a footer taken for the count until another one came below it
        self._after: int | None = None  # the row of the footer whose signature block is being read
        self._titled = False  # a signer's title was seen in that block (a name may follow)
        self.rows = 0  # rows judged the report's own (footer totals and signature lines; the declared footer aside)

    def may_end(self, cells: Sequence[str | None]) -> bool:
        """Cheap: whether :meth:`kind` may say anything but ``record`` (a reader decodes the cells only then). A row
        of more than three cells that are not empty is no footer (counted at C speed: most rows stop here)."""
        if self._after is not None:
            return True
        if len(cells) - cells.count(None) - cells.count("") > 3:
            return False
        return _may_be_footer(_filled(cells))

    def kind(self, number: int, texts: Sequence[str | None]) -> Kind:
        """What the row numbered ``number`` is: a record, the declared count (no row), a footer total, or part of a
        signature block below one (a blank row included)."""
        total = footer_total(texts)
        if total is not None:
            earlier = self.footer
            if earlier is None or self.declares:
                self.footer = (number, *total)
            self._after, self._titled = number, False
            if self.declares:
                if earlier is not None:  # that one was a subtotal: a row of the report's own after all
                    self._subtotal = earlier[0]
                    self.rows += 1
                return "declared"
            self.rows += 1
            return "footer"
        if self._after is None:
            return "record"
        cells = _filled(texts)
        found = _signature_cells(cells, self._titled) if cells else (True, False)
        if found is None:
            self._after = None
            return "record"
        self._titled = self._titled or found[1]
        self.rows += 1
        return "signature"

    def take_subtotal(self) -> int | None:
        """The row of a footer the table's count was taken from until the footer just read came below it (once;
        None otherwise): the reader yields that row now, quarantined with :meth:`subtotal_error`."""
        row, self._subtotal = self._subtotal, None
        return row

    def subtotal_error(self) -> tuple[str, str]:
        """The quarantine reason code and message of a subtotal (:meth:`take_subtotal`)."""
        return "footer_total", ("a subtotal of the report (a footer total with another one below it), not a record; "
                                "the last footer total is the report's count")

    def error(self, kind: Kind) -> tuple[str, str]:
        """The quarantine reason code and message of a ``footer`` or ``signature`` row."""
        if kind == "footer":
            return "footer_total", ("the report's footer total, not a record (declared_total: footer compares it "
                                    "with the rows read)")
        return "signature_block", (f"the report's signature block below its footer total (row {self._after}), "
                                   "not a record")


__all__ = ["REPORT_CODES", "Kind", "ReportEnd", "footer_total"]
