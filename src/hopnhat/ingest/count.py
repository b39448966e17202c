"""What an export claims it holds (:class:`Declared`, with the :class:`Paging` beside a JSON total), and the claims a
reader finds while it reads the records — a report's footer total (:func:`footer_declared`), an XML count on the
records' path (:class:`XmlCount`, told of the elements by :class:`hopnhat.ingest.xmlfile.XmlReader`) — so a run takes
them from its own read (:mod:`hopnhat.ingest.declared` finds them by a read of its own)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hopnhat.i18n import tr
from hopnhat.ingest.cells import parse_count
from hopnhat.ingest.xmlfile import _local


@dataclass(frozen=True)
class Paging:
    """What an API dump says about its pages: this page, its size, how many pages (computed when not said)."""

    page: int | None
    page_size: int | None
    pages: int | None

    def more_pages(self) -> bool:
        return self.pages is not None and self.pages > 1

    def words(self) -> str:
        page = self.page if self.page is not None else "?"
        size = ""
        if self.page_size:
            size = tr(f", {self.page_size:,} bản ghi/trang", f", {self.page_size:,} records a page")
        return tr(f"trang {page}/{self.pages or '?'}{size}", f"page {page} of {self.pages or '?'}{size}")


@dataclass(frozen=True)
class Declared:
    """An export's own count: ``value`` (None: not found or not a count: ``problem`` says why), ``where`` it was
    found (``data.total``, ``DanhSach/@TongSo``, ``row 815``), ``text`` as written, the ``records`` the scan
    counted, and the ``paging`` beside a JSON total."""

    where: str
    value: int | None
    text: str | None
    records: int
    paging: Paging | None = None
    problem: str | None = None


def footer_declared(footer: tuple[int, str, int] | None, counted: int) -> Declared:
    """A report's declared count from its reader's footer total (row, number as written, count)."""
    if footer is None:
        return Declared("footer", None, None, counted,
                        problem=tr("không có dòng 'Tổng cộng: …' / 'Tổng số: …' cuối bảng",
                                   "no 'Tổng cộng: …' / 'Tổng số: …' row at the end of the table"))
    row, text, value = footer
    return Declared(tr(f"dòng {row}", f"row {row}"), value, text, counted)


class XmlCount:
    """Where an XML document's count is (``DanhSach/@TongSo``, ``DanhSach/TongSo``) and what was found there."""

    def __init__(self, total: str) -> None:
        holder, _, self.attribute = total.partition("/@")
        self.total = total
        self.holder = holder.split("/")
        self.text: str | None = None
        self.seen = False  # the holder element was met

    def start(self, path: list[str], element: Any) -> None:
        if self.attribute and path == self.holder:
            self.seen = True
            self.text = {_local(k): v for k, v in element.attrib.items()}.get(self.attribute)

    def end(self, path: list[str], element: Any) -> None:
        if not self.attribute and path == self.holder:
            self.seen, self.text = True, element.text

    def declared(self, counted: int, broken: bool) -> Declared:
        """The count found, against the ``counted`` records (a broken document's last ``bad_xml`` row included)."""
        if self.text is None:
            why = (tr("tệp XML bị cắt hoặc hỏng trước khi tới chỗ này", "the XML is cut or broken before it")
                   if broken else
                   tr("không có thuộc tính/phần tử này" if self.seen or self.attribute else "không có phần tử này",
                      "no such attribute/element" if self.seen or self.attribute else "no such element"))
            return Declared(self.total, None, None, counted, problem=why)
        value = parse_count(self.text)
        problem = None if value is not None else tr(f"{self.text.strip()[:40]!r} không phải một số đếm",
                                                    f"{self.text.strip()[:40]!r} is not a count")
        return Declared(self.total, value, self.text.strip(), counted, problem=problem)


__all__ = ["Declared", "Paging", "XmlCount", "footer_declared"]
