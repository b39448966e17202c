"""The demo's one-stop-shop list: the estate's people as a clerk's Excel register, linked on its own.

The register opens with a commune's title block and a row numbering the columns, as printed lists do (read from its
real header row: :mod:`hopnhat.ingest.headerrow`), and names its columns as registers do (``Họ`` | ``Chữ đệm`` |
``Tên``, ``Ngày sinh``, ``Số CCCD`` beside ``Số CMND``, ``Nơi thường trú``, ``Quê quán``), so ``hopnhat link
persons`` finds them by their headers (:mod:`hopnhat.link.headers`). Some rows were typed with a legacy font, read
back before linking (:mod:`hopnhat.repair.arrowtext`). The known truth scores the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from hopnhat.ingest.headerrow import skipped
from hopnhat.ingest.tables import read_whole
from hopnhat.io.excel import write_sheet
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
    CCCD and the old CMND in two, Vietnamese headers, a home town beside the address; one row in
    :data:`LEGACY_EVERY` typed with a legacy font (name and address)."""
    words = [(n or "").split() for n in _font_typed(people.column("full_name").to_pylist())]
    cccd, cmnd = _numbers(people)
    return pa.table({
        "STT": [str(i + 1) for i in range(people.num_rows)],
        "Họ": [w[0] if w else None for w in words],
        "Chữ đệm": [" ".join(w[1:-1]) if len(w) > 2 else None for w in words],
        "Tên": [w[-1] if len(w) > 1 else None for w in words],
        "Ngày sinh": people.column("dob"), "Giới tính": people.column("sex"),
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
    """``table`` as a printed list's workbook: the title block, the column names, a row numbering them, the rows."""
    width = table.num_columns
    title = _title_block(width)
    body = [table.column_names, [f"({i})" for i in range(1, width + 1)],
            *(list(r) for r in zip(*(c.to_pylist() for c in table.columns), strict=True))]
    write_sheet(path, [c or "" for c in title[0]], [*title[1:], *body], sheet="Danh sách")


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
