"""``hopnhat units``: convert old addresses to the new structure, show and search admin units."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from hopnhat.cli.common import console, err_console, friendly_errors, progress_bar, say_skipped
from hopnhat.i18n import tr
from hopnhat.units.convert import STATUSES, SplitEvidence, convert_address
from hopnhat.units.reference import Unit, reference

app = typer.Typer(help=tr("Đơn vị hành chính: chuyển đổi địa chỉ cũ → mới, tra cứu mã.",
                          "Admin units: convert old addresses to new, look codes up."), no_args_is_help=True)

STATUS_LABELS = {
    "converted": ("Đã chuyển đổi", "Converted"),
    "already_new": ("Đã theo cấu trúc mới", "Already new"),
    "split": ("Xã bị chia tách — cần xem xét", "Split commune — review"),
    "ambiguous": ("Không rõ ràng — cần xem xét", "Ambiguous — review"),
    "not_found": ("Không tìm thấy", "Not found"),
    "invalid": ("Không hợp lệ", "Invalid"),
}


def status_label(status: str) -> str:
    vi, en = STATUS_LABELS[status]
    return tr(vi, en)


@app.command("convert")
@friendly_errors
def convert(
    src: Path = typer.Argument(..., help=tr("Tệp vào: CSV, TSV, Excel (.xlsx, .xls, .xlsb, .ods) hoặc Parquet.",
                                            "Input file: CSV, TSV, Excel (.xlsx, .xls, .xlsb, .ods) or Parquet.")),
    column: list[str] = typer.Option(..., "--column", "-c", help=tr(
        "Cột chứa địa chỉ; địa chỉ chia nhiều cột (Thôn, Xã, Huyện, Tỉnh): nhắc lại -c theo thứ tự, các ô được nối "
        "bằng dấu phẩy.",
        "Column holding the address; an address in several columns (hamlet, commune, district, province): repeat -c "
        "in that order, the cells are joined with commas.")),
    output: Path = typer.Option(..., "--output", "-o", help=tr("Tệp ra (định dạng theo đuôi tệp).",
                                                               "Output file (format from its extension).")),
    hints: Optional[Path] = typer.Option(None, "--hints", help=tr(
        "CSV thôn/ấp của xã bị chia tách (old_commune_code,hamlet,new_commune_code) do tỉnh công bố.",
        "CSV of split communes' hamlets (old_commune_code,hamlet,new_commune_code) published by the province.")),
) -> None:
    """Chuyển địa chỉ cũ sang đơn vị hành chính mới / convert a column of old addresses to the new units.

    Exit codes: 0 done; 2 bad input (refused before any work, the output left untouched)."""
    from hopnhat.io.arrowload import load_arrow

    load_arrow(without_numpy=True)  # this process converts one file and exits: Arrow without NumPy
    from hopnhat.ingest.tables import SUFFIXES
    from hopnhat.io.inputs import check_input
    from hopnhat.io.outputs import check_output
    from hopnhat.units.column import convert_file, read_back, rows_above, status_counts
    from hopnhat.units.files import TABLE_FORMATS, check_hints

    check_input(src, SUFFIXES)
    check_output(output, [src, *([hints] if hints else [])], TABLE_FORMATS, needed_bytes=2 * src.stat().st_size)
    evidence = SplitEvidence.from_csv(check_hints(hints)) if hints else None
    started = time.perf_counter()
    with progress_bar() as bar:
        task = bar.add_task(tr("Chuyển đổi địa chỉ", "Converting addresses"), total=None)
        result = convert_file(src, column, output, evidence, progress=lambda n: bar.advance(task, n),
                              on_total=lambda n: bar.update(task, total=n))
    say_skipped(rows_above(result))
    _summary(status_counts(result.column("status")), time.perf_counter() - started, output)
    typed = read_back(result)
    if typed:
        console.print(tr(f"Đọc lại {typed:,} địa chỉ gõ bằng bảng mã cũ (TCVN3, VNI, …) trước khi chuyển đổi; tệp ra "
                         "giữ nguyên ô gốc.",
                         f"Read {typed:,} addresses typed in a legacy encoding (TCVN3, VNI, …) as Unicode before "
                         "converting them; the output keeps the cells as they were."))


def _summary(counts: Counter[str], seconds: float, output: Path) -> None:
    rows = sum(counts.values())
    table = Table(title=tr("Kết quả chuyển đổi", "Conversion summary"))
    table.add_column(tr("Trạng thái", "Status"))
    table.add_column(tr("Số dòng", "Rows"), justify="right")
    table.add_column("%", justify="right")
    total = max(rows, 1)
    for status in STATUSES:
        share = f"{100 * counts[status] / total:.1f}"
        table.add_row(f"{status} — {status_label(status)}", f"{counts[status]:,}", share)
    console.print(table)
    rate = rows / seconds if seconds else 0
    console.print(tr(f"{rows:,} dòng trong {seconds:.2f} s ({rate:,.0f} địa chỉ/s) → {output}",
                     f"{rows:,} rows in {seconds:.2f} s ({rate:,.0f} addresses/s) → {output}"))


@app.command("show")
@friendly_errors
def show(
    code: str = typer.Argument(..., help=tr("Mã đơn vị (2 số tỉnh, 3 số huyện, 5 số xã).",
                                            "Unit code (2 digits province, 3 district, 5 commune).")),
    version: str = typer.Option(..., "--version", "-v", help=tr("old (trước 1/7/2025) hoặc new (từ 1/7/2025).",
                                                                "old (before 1/7/2025) or new (from 1/7/2025).")),
) -> None:
    """Xem một đơn vị theo mã và phiên bản / show one unit by code and version, with its conversion."""
    if version not in ("old", "new"):
        raise typer.BadParameter("--version must be old or new")
    ref = reference()
    unit = ref.find(code.strip(), version)  # type: ignore[arg-type]
    table = Table(title=f"{unit.ref} — {unit.name}", show_header=False)
    for label, value in _unit_facts(unit):
        table.add_row(label, value)
    console.print(table)
    _show_links(unit)


def _unit_facts(unit: Unit) -> list[tuple[str, str]]:
    ref = reference()
    period = "≤ 30/6/2025" if unit.version == "old" else "≥ 1/7/2025"
    facts = [(tr("Phiên bản", "Version"), f"{unit.version} ({period})"),
             (tr("Cấp", "Level"), unit.level), (tr("Loại", "Type"), unit.type)]
    province = ref.provinces[unit.version].get(unit.province_code)
    if province and unit.level != "province":
        facts.append((tr("Tỉnh", "Province"), f"{province.ref} {province.name}"))
    if unit.district_code and unit.level == "commune":
        district = ref.districts[unit.district_code]
        facts.append((tr("Huyện", "District"), f"{district.ref} {district.name}"))
    if unit.alias_keys:
        facts.append((tr("Tên khác", "Aliases"), ", ".join(unit.alias_keys)))
    return facts


def _show_links(unit: Unit) -> None:
    ref = reference()
    if unit.level == "province":
        if unit.version == "old":
            new = ref.provinces["new"][ref.province_map[unit.code]]
            console.print(tr(f"→ từ 1/7/2025 thuộc {new.ref} {new.name}",
                             f"→ from 1/7/2025 part of {new.ref} {new.name}"))
        else:
            olds = [ref.provinces["old"][o] for o, n in sorted(ref.province_map.items()) if n == unit.code]
            console.print(tr("← hợp nhất từ: ", "← merged from: ") + ", ".join(f"{o.ref} {o.name}" for o in olds))
        return
    if unit.level != "commune":
        return
    links = ref.new_communes_of(unit.code) if unit.version == "old" else ref.old_communes_of(unit.code)
    table = Table(title=tr("Chuyển đổi", "Conversion"))
    table.add_column(tr("Đơn vị", "Unit"))
    table.add_column(tr("Kiểu", "Kind"))
    for link in links:
        other = ref.communes["new" if unit.version == "old" else "old"][
            link.new_code if unit.version == "old" else link.old_code]
        table.add_row(f"{other.ref} {other.name}", link.kind)
    console.print(table)


@app.command("search")
@friendly_errors
def search(
    text: str = typer.Argument(..., help=tr("Tên hoặc địa chỉ (có dấu hay không dấu).",
                                            "Name or address (with or without diacritics).")),
    limit: int = typer.Option(15, help=tr("Số kết quả tối đa.", "Maximum results.")),
) -> None:
    """Tìm đơn vị theo tên và chuyển đổi địa chỉ / search units by name and convert the text as an address."""
    from hopnhat.units.search import search_units

    table = Table(title=tr(f"Đơn vị khớp với “{text}”", f"Units matching “{text}”"))
    for head in (tr("Mã", "Code"), tr("Tên", "Name"), tr("Thuộc", "Parent"), tr("Điểm", "Score")):
        table.add_column(head)
    for unit, parent, score in search_units(text, limit):
        table.add_row(unit.ref, unit.name, parent, f"{score:.0f}")
    console.print(table)
    result = convert_address(text)
    err_console.print(f"[bold]{tr('Đọc như địa chỉ', 'Read as an address')}:[/] {result.status} — "
                      f"{status_label(result.status)}; {result.reason}", highlight=False)
    if result.new_commune_code or result.candidates:
        codes = [result.new_commune_code] if result.new_commune_code else list(result.candidates)
        names = [f"new:{c} {reference().communes['new'][c].name}" for c in codes]
        err_console.print("  → " + "; ".join(names), highlight=False)
