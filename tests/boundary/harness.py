"""Damaged inputs for every file-taking command, run in-process, each outcome classified.

Written apart from the project's generator: the valid seeds are a handful of hand-written rows, the damage is plain
byte surgery (truncation, random bytes, NULs, other encodings by Python's codecs, huge fields, deep nesting, formula
cells, numbers JSON cannot hold, lone surrogates) and odd paths (the input itself, ``x/../``, a symlink, a folder, a
device, below a file, a missing folder, a name too long). Used by ``tests/boundary`` (Hypothesis picks the damage)
and by ``bench/badinput.py`` (a few hundred seeded draws per command).

Outcome of one run: ``worked`` (exit 0, output complete), ``clean`` (exit 2 or 1 with a message, no output),
``traceback`` (an exception escaped, or Python's traceback was printed), ``input_changed`` (an input's bytes
changed), ``half_output`` (exit 0 with an unreadable output, or a failed run that left an output or a temporary file).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import typer
from typer.testing import CliRunner

ROWS = [
    ("1", "Nguyễn Văn An", "12/03/1980", "Nam", "201234567", "Thôn Hạ, Xã Hòa Tiến, Huyện Hòa Vang, Đà Nẵng"),
    ("2", "Nguyen Van An", "1980-03-12", "nam", "201234567", "Hoa Tien, Hoa Vang, Da Nang"),
    ("3", "Trần Thị Bình", "05/11/1992", "Nữ", "", "Số 7 Lê Lợi, Phường Hải Châu I, Quận Hải Châu, TP Đà Nẵng"),
    ("4", "=HYPERLINK(\"http://x\")", "01/01/2000", "Nữ", "+84905", "@SUM(A1), Tam Kỳ, Quảng Nam"),
    ("5", "Lê Văn Cường", "", "", "", "Xã Tam Xuân 1, Huyện Núi Thành, Quảng Nam"),
]
HEADER = ("id", "full_name", "dob", "sex", "id_number", "address")
OUTCOMES = ("worked", "clean", "traceback", "input_changed", "half_output")


# --- valid seeds ---------------------------------------------------------------------------------------------------

def _csv_bytes(delimiter: str = ",") -> bytes:
    import csv
    import io

    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows([HEADER, *ROWS])
    return buffer.getvalue().encode("utf-8")


def _xlsx_bytes(folder: Path) -> bytes:
    import xlsxwriter

    path = folder / "seed.xlsx"
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    sheet = book.add_worksheet()
    for r, row in enumerate([HEADER, *ROWS]):
        sheet.write_row(r, 0, row)
    book.close()
    return path.read_bytes()


def _parquet_bytes(folder: Path, lists: bool = False) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {name: [row[i] for row in ROWS] for i, name in enumerate(HEADER)}
    if lists:
        columns["address"] = [[a, a] for a in columns["address"]]  # type: ignore[misc]
    path = folder / "seed.parquet"
    pq.write_table(pa.table(columns), path)
    return path.read_bytes()


def _json_bytes(lines: bool) -> bytes:
    records = [dict(zip(HEADER, row)) for row in ROWS]
    if lines:
        return "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode("utf-8") + b"\n"
    return json.dumps(records, ensure_ascii=False, indent=2).encode("utf-8")


def seeds(folder: Path) -> dict[str, bytes]:
    """Suffix → valid content."""
    return {".csv": _csv_bytes(), ".tsv": _csv_bytes("\t"), ".xlsx": _xlsx_bytes(folder),
            ".parquet": _parquet_bytes(folder), ".json": _json_bytes(False), ".ndjson": _json_bytes(True)}


# --- damage --------------------------------------------------------------------------------------------------------

def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(0, max(1, len(data)))]


def _random_bytes(data: bytes, rng: random.Random) -> bytes:
    return bytes(rng.randrange(256) for _ in range(rng.choice((1, 17, 500, 5000))))


def _flip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randrange(1, 20)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _nuls(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(0, len(data) + 1)
    return data[:at] + b"\x00" * rng.randrange(1, 50) + data[at:]


def _encoding(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", errors="replace")
    name = rng.choice(("utf-16", "utf-32", "cp1258", "cp1252", "latin-1", "utf-8-sig", "cp437"))
    return text.encode(name, errors="replace")


def _huge_field(data: bytes, rng: random.Random) -> bytes:
    size = rng.choice((131_073, 300_000, 1_100_000))
    lines = data.split(b"\n")
    at = rng.randrange(0, len(lines))
    lines.insert(at, b"9," + b"x" * size + b",,,,")
    return b"\n".join(lines)


def _deep(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice((150, 1_000, 100_000))
    return b"[" * depth + b"1" + b"]" * depth


def _odd_numbers(data: bytes, rng: random.Random) -> bytes:
    value = rng.choice((b"1e999999", b"NaN", b"Infinity", b"-Infinity", b"9" * 5000, b'"\\ud800"', b'"\\udfff x"'))
    return b'[{"id": "1", "full_name": "A", "address": ' + value + b"}]"


def _formulas(data: bytes, rng: random.Random) -> bytes:
    return data.replace("Nguyễn".encode(), rng.choice((b"=1+1", b"=cmd|' /C calc'!A0", b"+84", b"@SUM(A1)")))


def _ragged(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    lines[rng.randrange(0, len(lines))] += rng.choice((b',"unclosed', b",,,,,,,,,", b";x;y", b'"'))
    return b"\n".join(lines)


def _duplicate_header(data: bytes, rng: random.Random) -> bytes:
    return data.replace(b"dob", b"full_name", 1).replace(b"sex", b"", 1)


DAMAGES: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "truncate": _truncate, "random_bytes": _random_bytes, "flip_bytes": _flip, "nul_bytes": _nuls,
    "other_encoding": _encoding, "huge_field": _huge_field, "deep_nesting": _deep, "odd_json_numbers": _odd_numbers,
    "formula_cells": _formulas, "ragged_lines": _ragged, "duplicate_header": _duplicate_header,
    "empty": lambda d, r: b"", "bom_only": lambda d, r: b"\xef\xbb\xbf", "intact": lambda d, r: d,
}
ODD_PATHS = ("output_is_input", "output_through_dotdot", "output_symlink_to_input", "output_is_folder",
             "output_below_file", "output_folder_missing", "output_name_too_long", "input_is_folder",
             "input_is_dev_null", "input_missing", "output_is_dev_null")


# --- one run -------------------------------------------------------------------------------------------------------

@dataclass
class Case:
    """One command line over files in ``folder``."""

    command: str
    argv: list[str]
    inputs: list[Path]
    output: Path | None
    label: str
    before: dict[Path, str] = field(default_factory=dict)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else f"<{path.exists()}>"
    except OSError:
        return "<unreadable>"


def output_complete(path: Path) -> bool:
    """The output reads back whole in its format."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".tsv", ".txt"):
            path.read_bytes().decode("utf-8")
            return True
        if suffix == ".xlsx":
            from openpyxl import load_workbook

            load_workbook(path, read_only=True).close()
            return True
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            pq.read_table(path)
            return True
        if suffix in (".json",):
            json.loads(path.read_text(encoding="utf-8-sig"), parse_constant=_no_constant)
            return True
        if suffix in (".ndjson", ".jsonl"):
            for line in path.read_text(encoding="utf-8-sig").splitlines():
                if line.strip():
                    json.loads(line, parse_constant=_no_constant)
            return True
    except Exception:  # noqa: BLE001 - any failure to read back is a half-written output
        return False
    return path.stat().st_size > 0


def _no_constant(text: str) -> None:
    raise ValueError(f"{text} is not JSON")


def _app(noun: str) -> typer.Typer:
    from hopnhat.cli.main import build

    return build(noun)


def classify(case: Case, exit_code: int, exception: BaseException | None, output_text: str) -> set[str]:
    found: set[str] = set()
    if exception is not None and not isinstance(exception, SystemExit) or "Traceback (most recent call" in output_text:
        found.add("traceback")
    if any(digest(p) != h for p, h in case.before.items()):
        found.add("input_changed")
    out = case.output
    folder = out.parent if out is not None and _is_dir(out.parent) else None
    leftovers = [p for p in folder.iterdir() if p.name.startswith(".~hopnhat-")] if folder else []
    if leftovers:
        found.add("half_output")
    if exit_code == 0 and out is not None and not (_is_file(out) and output_complete(out)):
        found.add("half_output")
    if exit_code != 0 and out is not None and _is_file(out) and out not in case.before and out not in case.inputs:
        found.add("half_output")
    if not found:
        found.add("worked" if exit_code == 0 else "clean")
    return found


def run_case(case: Case) -> tuple[set[str], int, str]:
    case.before = {p: digest(p) for p in case.inputs if p.exists()}
    if case.output is not None and _is_file(case.output):
        case.before[case.output] = digest(case.output)
    runner = CliRunner()
    result = runner.invoke(_app(case.command.split()[0]), ["--lang", "en", *case.command.split(), *case.argv])
    text = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        text += "".join(traceback.format_exception(result.exception)[-3:])
    return classify(case, result.exit_code, result.exception, text), result.exit_code, text


# --- building cases ------------------------------------------------------------------------------------------------

COMMANDS = {
    "units convert": ((".csv", ".tsv", ".xlsx", ".parquet"), (".csv", ".xlsx", ".parquet", ".json")),
    "repair": ((".csv", ".tsv", ".xlsx", ".json", ".ndjson"), None),
    "link persons": ((".csv", ".xlsx", ".parquet"), (".csv", ".xlsx", ".parquet")),
}


def _argv(command: str, src: Path, out: Path, hints: Path | None) -> list[str]:
    if command == "units convert":
        return [str(src), "--column", "address", "--output", str(out), *(["--hints", str(hints)] if hints else [])]
    if command == "repair":
        return [str(src), "--output", str(out)]
    return [str(src), "--output", str(out)]


def _odd(kind: str, folder: Path, src: Path, out: Path) -> tuple[Path, Path]:
    if kind == "output_is_input":
        return src, src
    if kind == "output_through_dotdot":
        (folder / "x").mkdir(exist_ok=True)
        return src, folder / "x" / ".." / src.name
    if kind == "output_symlink_to_input":
        link = folder / f"link{src.suffix}"
        link.unlink(missing_ok=True)
        link.symlink_to(src)
        return src, link
    if kind == "output_is_folder":
        (folder / f"outdir{out.suffix}").mkdir(exist_ok=True)
        return src, folder / f"outdir{out.suffix}"
    if kind == "output_below_file":
        return src, src / f"out{out.suffix}"
    if kind == "output_folder_missing":
        return src, folder / "missing" / f"out{out.suffix}"
    if kind == "output_name_too_long":
        return src, folder / ("n" * 300 + out.suffix)
    if kind == "input_is_folder":
        return folder, out
    if kind == "input_is_dev_null":
        return Path("/dev/null"), out
    if kind == "output_is_dev_null":
        return src, Path("/dev/null")
    return folder / f"missing{src.suffix}", out


def make_case(command: str, folder: Path, seed_files: dict[str, bytes], rng: random.Random, damage: str | None = None,
              odd: str | None = None, suffix: str | None = None) -> Case:
    """A damaged input (or an odd path) for ``command``, written in ``folder`` (emptied first)."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    in_suffixes, out_suffixes = COMMANDS[command]
    suffix = suffix or rng.choice(in_suffixes)
    damage = damage or rng.choice(list(DAMAGES))
    data = seed_files[suffix] if damage != "parquet_lists" else _parquet_bytes(folder, lists=True)
    src = folder / f"in{suffix}"
    src.write_bytes(DAMAGES[damage](data, rng) if damage in DAMAGES else data)
    out = folder / f"out{rng.choice(out_suffixes) if out_suffixes else suffix}"
    hints = None
    if command == "units convert" and rng.random() < 0.25:
        hints = folder / "hints.csv"
        good = "old_commune_code,hamlet,new_commune_code\n20305,Thôn Hạ,20306\n".encode()
        hints.write_bytes(DAMAGES[rng.choice(list(DAMAGES))](good, rng))
    label = damage
    if odd:
        src, out = _odd(odd, folder, src, out)
        label = odd
    inputs = [p for p in (src, hints) if p is not None and p != Path("/dev/null")]
    return Case(command, _argv(command, src, out, hints), inputs, None if out == Path("/dev/null") else out, label)


def draw(command: str, folder: Path, seed_files: dict[str, bytes], rng: random.Random) -> Case:
    """A random case: mostly damaged content, sometimes an odd path, sometimes a Parquet list column."""
    roll = rng.random()
    if roll < 0.2:
        return make_case(command, folder, seed_files, rng, damage="intact", odd=rng.choice(ODD_PATHS))
    if roll < 0.25 and ".parquet" in COMMANDS[command][0]:
        return make_case(command, folder, seed_files, rng, damage="parquet_lists", suffix=".parquet")
    return make_case(command, folder, seed_files, rng)


def tally(results: list[set[str]]) -> dict[str, int]:
    return {name: sum(name in r for r in results) for name in OUTCOMES}


def seeds_in(folder: Path) -> dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    return seeds(folder)


__all__ = ["COMMANDS", "DAMAGES", "ODD_PATHS", "OUTCOMES", "Case", "draw", "make_case", "os", "run_case", "seeds_in",
           "tally"]


# --- migrate: a hand-written merger file and its two sources -------------------------------------------------------

MERGER = """version: 1
merged_unit: {province_code: '48', name: Thành phố Đà Nẵng, cutover: 2025-07-01, old_provinces: ['48', '49']}
store: {path: out/hopnhat.duckdb, app_db: out/app.sqlite, catalog: out/catalog.duckdb}
linkage: {enabled: false}
sources:
  - name: a_dancu
    system: Hộ tịch
    province: '49'
    kind: csv
    tables:
      - name: nhan_khau
        path: data/people.csv
        delimiter: ','
        encoding: utf-8
        maps_to: person
        columns:
          source_key: id
          full_name: full_name
          birth_date: {column: dob, type: date, formats: [dd/mm/yyyy, yyyy-mm-dd]}
          sex: sex
          id_number: {column: id_number, type: id_number}
          address: {column: address, type: admin_address, version: old}
  - name: b_dancu
    system: Hộ tịch
    province: '48'
    kind: ndjson
    tables:
      - name: nhan_khau
        path: data/people.ndjson
        maps_to: person
        columns:
          source_key: id
          full_name: full_name
          address: {column: address, type: admin_address, version: old}
"""

MERGER_DAMAGES: dict[str, Callable[[str, random.Random], str]] = {
    "impossible_date": lambda t, r: t.replace("2025-07-01", "2025-02-30"),
    "no_sources": lambda t, r: t[: t.index("sources:")] + "sources: []\n",
    "two_char_delimiter": lambda t, r: t.replace("delimiter: ','", "delimiter: ';;'"),
    "unknown_encoding": lambda t, r: t.replace("encoding: utf-8", "encoding: klingon"),
    "missing_key_column": lambda t, r: t.replace("source_key: id", "source_key: ma_cong_dan", 1),
    "json_kind_on_csv": lambda t, r: t.replace("kind: csv", "kind: json"),
    "store_is_a_source": lambda t, r: t.replace("path: out/hopnhat.duckdb", "path: data/people.csv"),
    "store_below_a_source": lambda t, r: t.replace("path: out/hopnhat.duckdb", "path: data/people.csv/s.duckdb"),
    "deep_nesting": lambda t, r: t + "extra: " + "[" * (n := r.choice((50, 5000, 100_000))) + "]" * n + "\n",
    "top_level_list": lambda t, r: "- 1\n- 2\n",
    "missing_source_file": lambda t, r: t.replace("data/people.ndjson", "data/nope.ndjson"),
    "source_is_a_folder": lambda t, r: t.replace("data/people.ndjson", "data"),
    "truncate": lambda t, r: t[: r.randrange(0, len(t))],
    "flip_bytes": lambda t, r: _flip(t.encode(), r).decode("utf-8", errors="surrogateescape"),
    "intact": lambda t, r: t,
}


def make_migrate_case(folder: Path, seed_files: dict[str, bytes], rng: random.Random, merger_damage: str | None = None,
                      source_damage: str | None = None) -> Case:
    """A merger file (maybe damaged) and its sources (one maybe damaged), run by ``hopnhat migrate``."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "data").mkdir(parents=True)
    (folder / "out").mkdir()
    merger_damage = merger_damage or ("intact" if rng.random() < 0.5 else rng.choice(list(MERGER_DAMAGES)))
    source_damage = source_damage or ("intact" if merger_damage != "intact" else rng.choice(list(DAMAGES)))
    csv_data, ndjson_data = seed_files[".csv"], seed_files[".ndjson"]
    if rng.random() < 0.5:
        csv_data = DAMAGES[source_damage](csv_data, rng)
    else:
        ndjson_data = DAMAGES[source_damage](ndjson_data, rng)
    (folder / "data" / "people.csv").write_bytes(csv_data)
    (folder / "data" / "people.ndjson").write_bytes(ndjson_data)
    merger = folder / "merger.yaml"
    text = MERGER_DAMAGES[merger_damage](MERGER, rng)
    merger.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    inputs = [merger, folder / "data" / "people.csv", folder / "data" / "people.ndjson"]
    return Case("migrate", [str(merger), "--no-link", "--workers", "1"], inputs, None,
                f"{merger_damage}+{source_damage}")


# --- review: a filled sheet imported into a store, the queue exported to odd paths ---------------------------------

def review_store(folder: Path, seed_files: dict[str, bytes]) -> Path:
    """A small migrated store (the migrate seed, intact) for the review commands."""
    case = make_migrate_case(folder, seed_files, random.Random(0), "intact", "intact")
    outcome, code, text = run_case(case)
    assert code == 0, text
    return folder / "out" / "hopnhat.duckdb"


def _review_sheet(suffix: str, folder: Path) -> bytes:
    from hopnhat.link.review import EXPORT_COLUMNS

    row = ["person:1|2" if c == "item_key" else "same" if c == "decision" else "" for c in EXPORT_COLUMNS]
    if suffix == ".csv":
        import csv
        import io

        buffer = io.StringIO(newline="")
        csv.writer(buffer).writerows([EXPORT_COLUMNS, row])
        return buffer.getvalue().encode("utf-8-sig")
    from hopnhat.io.excel import write_sheet

    write_sheet(folder / "sheet.xlsx", EXPORT_COLUMNS, [row])
    data = (folder / "sheet.xlsx").read_bytes()
    (folder / "sheet.xlsx").unlink()
    return data


def make_review_case(verb: str, folder: Path, store: Path, rng: random.Random) -> Case:
    """``review import`` of a damaged filled sheet, or ``review export`` to an odd path."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    suffix = rng.choice((".csv", ".xlsx"))
    if verb == "import":
        damage = rng.choice(list(DAMAGES))
        sheet = folder / f"filled{suffix}"
        sheet.write_bytes(DAMAGES[damage](_review_sheet(suffix, folder), rng))
        return Case("review import", [str(sheet), "--user", "clerk", "--store", str(store)], [sheet], None, damage)
    odd = rng.choice((*ODD_PATHS, "plain"))
    src, out = (store, folder / f"queue{suffix}") if odd == "plain" else _odd(odd, folder, store, folder / f"q{suffix}")
    if odd in ("input_is_folder", "input_is_dev_null", "input_missing"):
        out = folder / f"queue{suffix}"
    return Case("review export", [str(out), "--store", str(store)], [store], None if out == Path("/dev/null") else out,
                odd)
