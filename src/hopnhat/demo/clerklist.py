"""The demo's one-stop-shop list: the estate's people as a clerk's Excel register, linked on its own.

The register opens with a commune's title block, has two header rows (``Ngày sinh`` merged over ``Nam`` | ``Nữ``: the
birth date is written in the column of the person's sex, and there is no sex column) and a row numbering the columns,
as printed forms do (read from its real header rows: :mod:`hopnhat.ingest.headerrow`), and names its columns as
registers do (``Họ`` | ``Chữ đệm`` | ``Tên``, ``Số CCCD`` beside ``Số CMND``, ``Nơi thường trú``, ``Quê quán``), so
``hopnhat link persons`` finds them by their headers (:mod:`hopnhat.link.headers`). Some rows were typed with a legacy
font, read back before linking (:mod:`hopnhat.repair.arrowtext`). The known truth scores the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from hopnhat.ingest.headerrow import skipped
from hopnhat.ingest.tables import read_whole
from hopnhat.io.excel import EXCEL_OPTIONS
from hopnhat.io.writers import write_table
from hopnhat.link.evaluate import Evaluation, evaluate
from hopnhat.link.headers import Columns
from hopnhat.link.standalone import link_people, resolve_columns
from hopnhat.link.truth import person_rows
from hopnhat.text.legacy import cp1252_view, encode


@dataclass(frozen=True)
class ClerkList:
    source: Path
    output: Path
    columns: Columns
    rows: int
    above_header: int
    people: int
    linked_rows: int
    quality: Evaluation
    repaired: dict[str, int]


LEGACY_EVERY = 8  # one row in this many typed with a legacy font (TCVN3 and VNI in turn)


def _font_typed(texts: list[str | None]) -> list[str | None]:
    """Every :data:`LEGACY_EVERY`-th text as a ``.VnTime`` (TCVN3) or ``VNI-Times`` font shows it, in turn."""
    out = list(texts)
    for k, i in enumerate(range(0, len(out), LEGACY_EVERY)):
        if out[i]:
            out[i] = cp1252_view(encode(out[i] or "", ("tcvn3", "vni")[k % 2]))
    return out


def register(people: pa.Table) -> pa.Table:
    """``people`` (:func:`hopnhat.link.truth.person_rows`) as a register exports them: the name in three columns, the
    birth date in the column of the person's sex, the CCCD and the old CMND in two, Vietnamese headers (a merged
    cell's columns named ``<cell> - <column>``, as :mod:`hopnhat.ingest.headerrow` reads them), a home town beside the
    address; one row in :data:`LEGACY_EVERY` typed with a legacy font (name and address)."""
    words = [(n or "").split() for n in _font_typed(people.column("full_name").to_pylist())]
    cccd, cmnd = _numbers(people)
    dates, men = people.column("dob").to_pylist(), [s == "Nam" for s in people.column("sex").to_pylist()]
    return pa.table({
        "STT": [str(i + 1) for i in range(people.num_rows)],
        "Họ": [w[0] if w else None for w in words],
        "Chữ đệm": [" ".join(w[1:-1]) if len(w) > 2 else None for w in words],
        "Tên": [w[-1] if len(w) > 1 else None for w in words],
        "Ngày sinh - Nam": [d if m else None for d, m in zip(dates, men, strict=True)],
        "Ngày sinh - Nữ": [None if m else d for d, m in zip(dates, men, strict=True)],
        "Số CCCD": cccd, "Số CMND": cmnd, "Điện thoại": people.column("phone"),
        "Nơi thường trú": _font_typed(people.column("address").to_pylist()),
        "Quê quán": [None] * people.num_rows,
    })


def _numbers(people: pa.Table) -> tuple[list[str | None], list[str | None]]:
    """(CCCD, CMND) of each row: the table's own columns where it keeps them apart, else its one ID cell by length."""
    out: tuple[list[str | None], list[str | None]] = ([], [])
    for kept, apart, number in zip(people.column("cccd").to_pylist(), people.column("cmnd").to_pylist(),
                                   people.column("id_number").to_pylist(), strict=True):
        if kept is not None or apart is not None:
            out[0].append(kept or None)
            out[1].append(apart or None)
        else:
            twelve = bool(number) and len(number.strip()) == 12
            out[0].append(number if twelve else None)
            out[1].append(number or None if not twelve else None)
    return out


def _title_block(width: int) -> list[list[str | None]]:
    """A commune's list as it is printed: issuing body and national motto, the title, a blank line."""
    def row(left: str | None, right: str | None = None) -> list[str | None]:
        return [left, *([None] * (width - 3)), right, None]

    return [row("UBND XÃ TÂN PHÚ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), row(None, "Độc lập - Tự do - Hạnh phúc"),
            row(None), row("DANH SÁCH NHÂN KHẨU THƯỜNG TRÚ")]


def write_register(table: pa.Table, path: Path) -> None:
    """``table`` as a printed form's workbook: the title block, the two header rows (a column ``A - B`` under a
    merged cell ``A`` over ``B``; the other column names merged down), a row numbering the columns, the rows."""
    import xlsxwriter

    names = table.column_names
    top = [n.split(" - ")[0] for n in names]
    book = xlsxwriter.Workbook(str(path), {**EXCEL_OPTIONS, "constant_memory": False})  # rows written out of order
    try:
        sheet = book.add_worksheet("Danh sách")
        bold = book.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1})
        title = _title_block(len(names))
        for r, row in enumerate(title):
            sheet.write_row(r, 0, [c or "" for c in row])
        head = len(title)
        c = 0
        while c < len(names):
            span = next((k for k in range(c, len(names)) if top[k] != top[c]), len(names)) - c
            if span > 1:  # a merged cell over its columns, their names in the row below
                sheet.merge_range(head, c, head, c + span - 1, top[c], bold)
                for k in range(c, c + span):
                    sheet.write(head + 1, k, names[k].split(" - ", 1)[1], bold)
            else:
                sheet.merge_range(head, c, head + 1, c, names[c], bold)
            c += span
        sheet.write_row(head + 2, 0, [f"({i})" for i in range(1, len(names) + 1)])
        for r, record in enumerate(zip(*(col.to_pylist() for col in table.columns), strict=True), start=head + 3):
            sheet.write_row(r, 0, ["" if v is None else v for v in record])
    finally:
        book.close()


def link_clerk_list(estate: Path, out: Path, threads: int = 2) -> ClerkList:
    """Write the register (``danh-sach-nhan-khau.xlsx``), read and link it as ``hopnhat link persons`` does (no column
    named), write the result and score it against the estate's truth."""
    people = person_rows(estate)
    out.mkdir(parents=True, exist_ok=True)
    source, output = out / "danh-sach-nhan-khau.xlsx", out / "danh-sach-nhan-khau-lien-ket.xlsx"
    write_register(register(people), source)
    table = read_whole(source)
    result = link_people(table, threads=threads)
    write_table(result.table, output, [source])
    rows = [str(i) for i in range(table.num_rows)]
    quality = evaluate(dict(zip(rows, map(str, result.table.column("cluster_id").to_pylist()), strict=True)),
                       dict(zip(rows, people.column("entity").to_pylist(), strict=True)))
    return ClerkList(source, output, resolve_columns(table, {}), result.records, skipped(table), result.clusters,
                     result.linked_rows, quality, result.repaired)
