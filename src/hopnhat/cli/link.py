"""``hopnhat link``: find the same person across rows of a list (CSV, Excel, Parquet)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import TaskID

from hopnhat.cli.common import EXIT_FAILED, console, friendly_errors, progress_bar, say_skipped, show_error
from hopnhat.errors import InputError
from hopnhat.i18n import tr

if TYPE_CHECKING:
    from hopnhat.link.headers import Columns
    from hopnhat.link.spark_session import SparkOptions

app = typer.Typer(help=tr("Liên kết bản ghi: tìm cùng một người trong danh sách.",
                          "Record linkage: find the same person across the rows of a list."), no_args_is_help=True)



@app.callback()
def _group() -> None:
    """Liên kết bản ghi / record linkage."""


STEP_LABELS = {
    "parse": ("Chuẩn hóa giá trị", "Normalising values"),
    "addresses": ("Chuyển đổi địa chỉ", "Converting addresses"),
    "link": ("Liên kết (Splink)", "Linking (Splink)"),
}


def _renames(pairs: list[str]) -> dict[str, str]:
    out = {}
    for item in pairs:
        key, sep, name = item.partition("=")
        if not sep or not key.strip() or not name.strip():
            raise InputError(tr("--column phải có dạng KHÓA=TÊN_CỘT", "--column must be KEY=NAME"), value=item,
                             key="--column",
                             hint=tr("ví dụ --column full_name=ho_ten", "e.g. --column full_name=ho_ten"))
        out[key.strip()] = name.strip()
    return out


_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B)\s*$", re.IGNORECASE)


def _memory_limit(text: str) -> str | None:
    """``--memory-limit`` as DuckDB takes it (``1GB``, ``1500MB``, ``2GiB``); anything else is refused."""
    if not text.strip():
        return None
    found = _MEMORY.match(text)
    if not found or float(found.group(1)) <= 0:
        raise InputError(tr("--memory-limit không hợp lệ", "--memory-limit is not valid"), key="--memory-limit",
                         value=text, reason=tr("cần một số và đơn vị KB, MB, GB hoặc TB",
                                               "a number and a unit KB, MB, GB or TB is expected"),
                         hint=tr("ví dụ --memory-limit 1GB hoặc --memory-limit 1500MB",
                                 "for example --memory-limit 1GB or --memory-limit 1500MB"))
    return f"{found.group(1)}{found.group(2).upper().replace('IB', 'iB')}"


def _spark_options(engine: str, conf: list[str], master: str) -> SparkOptions | None:
    """The Spark options checked before any work (a bad KEY=VALUE or master URL is exit 2). Spark's module (and
    through it the project settings and pydantic: ~0.12 CPU-s) is imported only for ``--engine spark``."""
    if engine != "spark":
        if conf or master:
            raise InputError(tr("--spark-conf và --spark-master chỉ dùng với --engine spark",
                                "--spark-conf and --spark-master need --engine spark"), key="--engine", value=engine)
        return None
    from hopnhat.link.spark_session import SparkOptions, check_master, parse_conf

    return SparkOptions(check_master(master), parse_conf(conf))


@contextmanager
def _spark_session(options: SparkOptions | None, rows: int, threads: int) -> Iterator[object]:
    """A Spark session for the linkage (None for DuckDB); a Spark failure is shown and ends the command with 1."""
    from hopnhat.link.spark_session import SparkFailure, guarded

    if options is None:
        yield None
        return
    try:
        with guarded(options, rows, threads) as session:
            yield session
    except SparkFailure as exc:
        show_error(exc)
        raise typer.Exit(EXIT_FAILED) from exc


KEY_LABELS = {"full_name": ("họ tên", "name"), "dob": ("ngày sinh", "birth date"), "sex": ("giới tính", "sex"),
              "id_number": ("số giấy tờ", "ID numbers"), "phone": ("điện thoại", "phone"),
              "address": ("địa chỉ", "address")}


def show_columns(columns: Columns) -> None:
    """Say which columns were recognised by their header (and which matched too but are not read)."""
    if not columns.recognised:
        return
    lines = []
    for key in KEY_LABELS:
        if key == "sex" and columns.sex_from is not None:
            male, female = columns.sex_from
            lines.append(f"  {tr(*KEY_LABELS[key])} ← " + tr(f"Nam nếu {male!r} có ghi, Nữ nếu {female!r} có ghi",
                                                             f"Nam if {male!r} is filled, Nữ if {female!r} is"))
        elif key in columns.recognised:
            joined = " + ".join(repr(c) for c in columns.read[key])
            rest = columns.unused.get(key, ())
            extra = tr(f" (không đọc: {', '.join(map(repr, rest))})", f" (not read: {', '.join(map(repr, rest))})")
            lines.append(f"  {tr(*KEY_LABELS[key])} ← {joined}{extra if rest else ''}")
    console.print(tr("Nhận cột theo tiêu đề (đổi bằng --column KHÓA=TÊN):",
                     "Columns recognised by their header (change with --column KEY=NAME):"))
    for line in lines:
        console.print(line, highlight=False)


@app.command("persons")
@friendly_errors
def persons(
    src: Path = typer.Argument(..., help=tr("Tệp vào: CSV, Excel (.xlsx) hoặc Parquet.",
                                            "Input file: CSV, Excel (.xlsx) or Parquet.")),
    output: Path = typer.Option(..., "--output", "-o", help=tr(
        "Tệp ra (định dạng theo đuôi tệp): mọi dòng, mọi cột, thêm cluster_id và match_probability.",
        "Output file (format from its extension): every row and column plus cluster_id and match_probability.")),
    column: list[str] = typer.Option([], "--column", "-c", help=tr(
        "Cột cho một khóa, KHÓA=TÊN (khóa: full_name, dob, sex, id_number, phone, address). Không cần khi tiêu đề "
        "là tiêu đề sổ sách thường dùng: Họ và tên (hoặc Họ | Chữ đệm | Tên), Ngày sinh, Giới tính, Số CCCD, Số CMND, "
        "SĐT, Địa chỉ, Nơi thường trú…",
        "The column of a key, KEY=NAME (keys: full_name, dob, sex, id_number, phone, address). Not needed when the "
        "header is one registers use: Họ và tên (or Họ | Chữ đệm | Tên), Ngày sinh, Giới tính, Số CCCD, Số CMND, "
        "SĐT, Địa chỉ, Nơi thường trú…")),
    engine: str = typer.Option("duckdb", "--engine", help=tr("duckdb (một máy) hoặc spark.",
                                                             "duckdb (one machine) or spark.")),
    threads: int = typer.Option(2, "--threads", min=1, help=tr("Số luồng.", "Threads.")),
    match_threshold: float = typer.Option(0.95, "--match-threshold", min=0.01, max=0.999999, help=tr(
        "Xác suất từ đó hai dòng là một người.", "Probability from which two rows are one person.")),
    memory_limit: str = typer.Option("", "--memory-limit", help=tr(
        "Giới hạn bộ nhớ DuckDB cho vùng làm việc, ví dụ 1GB (vượt thì ghi tạm ra đĩa).",
        "DuckDB memory limit of the work space, e.g. 1GB (spills to disk beyond).")),
    spark_conf: list[str] = typer.Option([], "--spark-conf", help=tr(
        "Một thiết lập Spark KHÓA=GIÁ_TRỊ (lặp lại được), ví dụ spark.driver.memory=8g; ghi đè mặc định theo máy.",
        "A Spark setting KEY=VALUE (repeatable), e.g. spark.driver.memory=8g; overrides the machine-sized default.")),
    spark_master: str = typer.Option("", "--spark-master", help=tr(
        "Cụm Spark (spark://máy:7077, yarn, local-cluster[2,1,1024]); mặc định local trên --threads lõi.",
        "Spark cluster (spark://host:7077, yarn, local-cluster[2,1,1024]); local on --threads cores by default.")),
    unanchored: str = typer.Option("review", "--unanchored", help=tr(
        "Hai dòng chỉ khớp họ tên và ngày sinh (khác xã hoặc không có xã, không số giấy tờ so được, không chung số "
        "điện thoại — giống hệt hai người trùng tên trùng ngày sinh): review = để riêng, trừ khi chính dữ liệu "
        "cho thấy những cặp như vậy là một người (ưu tiên chính xác); "
        "only_candidate = liên kết khi mỗi dòng là ứng viên duy nhất của dòng kia (ưu tiên độ phủ).",
        "Two rows that only the name and birth date tie (another commune or none, no comparable ID, no phone in "
        "common — exactly what two namesakes born the same day look like): review = kept apart unless the data's "
        "own CCCDs show such pairs to be one person (precision first); "
        "only_candidate = linked when each is the other's only candidate (recall first).")),
) -> None:
    """Tìm cùng một người giữa các dòng / link the rows of a list of people.

    Exit codes: 0 done; 1 Spark failed (out of memory, executor lost, master out of reach: one error naming the
    setting to raise); 2 bad input (refused before any work, the output left untouched)."""
    from hopnhat.ingest.headerrow import skipped
    from hopnhat.ingest.tables import SUFFIXES, read_whole, require_text_column
    from hopnhat.io.inputs import check_input
    from hopnhat.io.outputs import check_output
    from hopnhat.io.writers import TABLE_FORMATS, check_excel_fit, write_table
    from hopnhat.link.standalone import link_people, resolve_columns

    if engine not in ("duckdb", "spark"):
        raise InputError(tr("--engine phải là duckdb hoặc spark", "--engine must be duckdb or spark"), value=engine)
    if unanchored not in ("review", "only_candidate"):
        raise InputError(tr("--unanchored phải là review hoặc only_candidate",
                            "--unanchored must be review or only_candidate"), key="--unanchored", value=unanchored)
    memory = _memory_limit(memory_limit)
    spark = _spark_options(engine, spark_conf, spark_master)
    renames = _renames(column)
    check_input(src, SUFFIXES)
    check_output(output, [src], TABLE_FORMATS, needed_bytes=2 * src.stat().st_size)
    started = time.perf_counter()
    table = read_whole(src)
    say_skipped(skipped(table))
    columns = resolve_columns(table, renames)
    for names in columns.read.values():
        for name in names:
            require_text_column(table, name, src)
    show_columns(columns)
    if output.suffix.lower() == ".xlsx":
        check_excel_fit(table, output)  # refused now, not after the linkage
    with progress_bar() as bar:
        tasks: dict[str, TaskID] = {}

        def step(name: str, total: int | None, advance: int) -> None:
            if name not in tasks:
                vi, en = STEP_LABELS[name]
                tasks[name] = bar.add_task(tr(vi, en), total=total)
            bar.update(tasks[name], total=total, advance=advance)

        review = 0.6 if match_threshold > 0.6 else match_threshold / 2
        with _spark_session(spark, table.num_rows, threads) as session:
            result = link_people(table, renames, engine, threads, match_threshold, review,  # type: ignore[arg-type]
                                 step, spark=session, memory_limit=memory, unanchored=unanchored)
    write_table(result.table, output, [src])
    for key, rows in result.repaired.items():
        read = " + ".join(repr(c) for c in columns.read.get(key, (key,)))
        console.print(tr(f"Đọc lại {rows:,} ô của cột {read} gõ bằng bảng mã cũ (TCVN3, VNI, …) trước khi liên kết; "
                         "tệp ra giữ nguyên ô gốc (hopnhat repair cho bản đã sửa).",
                         f"Read {rows:,} cells of column {read} typed in a legacy encoding (TCVN3, VNI, …) as Unicode "
                         "before linking; the output keeps the cells as they were (hopnhat repair writes a repaired "
                         "copy)."), highlight=False)
    seconds = time.perf_counter() - started
    console.print(tr(
        f"{result.records:,} dòng → {result.clusters:,} người; {result.linked_rows:,} dòng được liên kết "
        f"({seconds:.1f} s) → {output}",
        f"{result.records:,} rows → {result.clusters:,} people; {result.linked_rows:,} rows linked "
        f"({seconds:.1f} s) → {output}"))
