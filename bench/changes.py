"""An independent change model for delta benches: a migrated estate's source files edited as a live legacy system
edits them, by this module's own rules, with its own record of what it did (the truth), so a delta run is checked
against changes the project's own code (``hopnhat.synth``) did not make. Nothing is imported from hopnhat: the merger
file is read with PyYAML, CSV lines with the csv module, text with Python's codecs.

Per table, about ``share`` of the rows (a sixth each):

- **deleted** (the line, JSON record or SQLite row removed);
- **edited**: a mapped text column re-encoded in the file's legacy encoding with Python's codecs (UTF-8, cp1258 —
  decomposed when the file is) — ``"Văn"`` put in front of a name —, or, where no Python codec reads the column
  (TCVN3, VNI), a digit of a mapped date/number column changed (its bytes are ASCII in every encoding);
- **emptied**: a mapped non-key column left empty;
- **corrected ID**: the key itself corrected (the old key leaves the source, a new one arrives);
- **inserted**: copies of other rows under new keys, two of them just below the header so every row below moves.

A SQLite table read by a cursor column (``cursor:`` in the merger file) gets its cursor moved on by every row edited,
corrected or inserted (above every other value, as a live system stamps what it writes), so a cursor delta sees them.

Only *clean* rows are touched (a CSV line the csv module writes back byte for byte with as many cells as the header,
a JSON line that parses, a key used once): the defects planted in the estate stay as they are. The truth per table
(``source/table`` → inserted / updated / deleted keys) is what a run should see: :func:`check` compares it with the
keys and row hashes of the store before and after the delta (``row_hash`` is the hash of the raw record, so every
edit changes it). Tables exploded from a JSON list (``explode``) take their record's fate for each item (inserted,
deleted; an edit of the record reloads its items but leaves their row hash, the hash of the item's own text).

    .venv/bin/python bench/changes.py MERGER.yaml --share 0.01 --seed 7 --truth truth.json
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

CODECS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "cp1258": "cp1258", "cp1258-decomposed": "cp1258"}
DIGIT = re.compile(r"\d")


@dataclass
class TableTruth:
    inserted: set[str] = field(default_factory=set)
    updated: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, list[str]]:
        return {k: sorted(getattr(self, k)) for k in ("inserted", "updated", "deleted")}


Truth = dict[str, TableTruth]


@dataclass
class Table:
    """One source table as the merger file names it (what this model needs of it)."""

    source: str
    name: str
    kind: str  # csv | ndjson | sqlite
    path: Path
    key: str | None  # the source key's column (None: an exploded table, keyed by its parent)
    columns: list[str]  # mapped source columns
    encoding: str = "utf-8"
    column_encodings: dict[str, str] = field(default_factory=dict)
    delimiter: str = ","
    sql_table: str | None = None
    explode: str | None = None
    parent_key: str | None = None
    cursor: str | None = None  # a SQL table's cursor column (``cursor:``): moved on by every edit and insert

    @property
    def label(self) -> str:
        return f"{self.source}/{self.name}"


def _column(spec: Any) -> str | None:
    if isinstance(spec, str):
        return spec
    if isinstance(spec, dict):
        col = spec.get("column") or spec.get("json")
        return str(col) if col else None
    return None


def tables(merger: Path) -> list[Table]:
    """The CSV, NDJSON and SQLite tables with a key (or exploded from one) of a merger file."""
    doc = yaml.safe_load(merger.read_text(encoding="utf-8"))
    out = []
    for src in doc["sources"]:
        kind = src.get("kind")
        if kind not in ("csv", "ndjson", "sqlite"):
            continue
        for t in src.get("tables", []):
            cols = t.get("columns", {})
            key, explode = _column(cols.get("source_key")), cols.get("explode")
            if key is None and explode is None:
                continue
            path = merger.parent / (t.get("path") or src.get("path"))
            mapped = [c for name, spec in cols.items() if name not in ("source_key", "explode", "parent_key")
                      and (c := _column(spec)) is not None]
            out.append(Table(src["name"], t["name"], kind, path, key, mapped, t.get("encoding") or "utf-8",
                             dict(t.get("column_encodings") or {}), t.get("delimiter") or ",", t.get("table"),
                             explode, _column(cols.get("parent_key")), t.get("cursor")))
    return out


def _pick(rng: random.Random, pool: list[int], n: int) -> list[int]:
    return rng.sample(pool, min(n, len(pool)))


# --- CSV -----------------------------------------------------------------------------------------------------------

def _cells(text: str, delim: str) -> list[str]:
    return next(csv.reader([text], delimiter=delim), [])


def _write(cells: list[str], delim: str, end: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delim, lineterminator=end).writerow(cells)
    return buf.getvalue()


def _split(line: str) -> tuple[str, str]:
    body = line.rstrip("\r\n")
    return body, line[len(body):]


def _edit_text(value: str, codec: str, decomposed: bool) -> str | None:
    """``"Văn "`` put in front of a text cell (a Latin-1 view of its bytes), re-encoded with the file's codec."""
    try:
        text = value.encode("latin-1").decode(codec)
    except (UnicodeDecodeError, UnicodeEncodeError):
        return None
    if not text.strip() or not any(ch.isalpha() for ch in text):
        return None
    # "Văn" has no tone mark: the same characters composed or decomposed, so it encodes in cp1258 as it is; the cell's
    # own text keeps its form (a decomposed file's combining tone marks stay as they were)
    new = ("Văn " if not decomposed else unicodedata.normalize("NFC", "Văn ")) + text
    try:
        return new.encode(codec).decode("latin-1")
    except UnicodeEncodeError:
        return None


def _edit_digit(value: str) -> str | None:
    """A date's day or a number's last digit changed (ASCII in every legacy encoding)."""
    m = re.fullmatch(r"(\d\d)([/.-]\d\d[/.-]\d{4})", value.strip())
    if m:
        day = int(m.group(1))
        return value.replace(m.group(0), f"{day % 28 + 1:02d}{m.group(2)}", 1)
    digits = [i for i, ch in enumerate(value) if ch.isdigit()]
    if not digits:
        return None
    i = digits[-1]
    return value[:i] + str((int(value[i]) + 1) % 10) + value[i + 1:]


def _edit_cell(t: Table, header: list[str], cells: list[str], key_at: int, rng: random.Random) -> bool:
    """One mapped non-key cell edited: text through a Python codec where one reads the column, else a digit."""
    order = [header.index(c) for c in t.columns if c in header and header.index(c) != key_at]
    rng.shuffle(order)
    for i in order:
        enc = t.column_encodings.get(header[i], t.encoding)
        codec = CODECS.get(enc)
        new = _edit_text(cells[i], codec, "decomposed" in enc) if codec else None
        if new is None and cells[i] and DIGIT.search(cells[i]) and cells[i].isascii():
            new = _edit_digit(cells[i])
        if new is not None and new != cells[i]:
            cells[i] = new
            return True
    return False


def change_csv(t: Table, rng: random.Random, share: float, truth: TableTruth) -> None:
    raw = t.path.read_bytes()
    lines = _lines(raw.decode("latin-1"))  # every byte kept: ASCII delimiters, any encoding
    header = [c.removeprefix("\xef\xbb\xbf") for c in _cells(_split(lines[0])[0], t.delimiter)]
    assert t.key is not None
    k = header.index(t.key)
    counts: dict[str, int] = {}
    parsed: dict[int, list[str]] = {}
    starts = _starts(lines)
    for i in range(1, len(lines)):
        body, end = _split(lines[i])
        cells = _cells(body, t.delimiter)
        if (i in starts and lines[i].count('"') % 2 == 0 and len(cells) == len(header)
                and _write(cells, t.delimiter, end) == lines[i] and cells[k].strip()):
            parsed[i] = cells
        key = cells[k].strip() if len(cells) > k else ""
        counts[key] = counts.get(key, 0) + 1
    clean = [i for i, c in parsed.items() if counts[c[k].strip()] == 1]
    n = max(1, round(len(lines) * share / 6))
    picked = _pick(rng, clean, 5 * n)
    deleted, edited, emptied, corrected, donors = (picked[j * n:(j + 1) * n] for j in range(5))
    nl = _split(lines[0])[1] or "\n"  # new lines end as the header does
    out: dict[int, str | None] = {}
    for i in deleted:
        truth.deleted.add(parsed[i][k].strip())
        out[i] = None
    for i in edited:
        cells = list(parsed[i])
        if _edit_cell(t, header, cells, k, rng):
            truth.updated.add(cells[k].strip())
            out[i] = _write(cells, t.delimiter, _split(lines[i])[1])
    for i in emptied:
        cells = list(parsed[i])
        cols = [header.index(c) for c in t.columns if c in header and header.index(c) != k and cells[header.index(c)]]
        if cols:
            cells[rng.choice(cols)] = ""
            truth.updated.add(cells[k].strip())
            out[i] = _write(cells, t.delimiter, _split(lines[i])[1])
    taken = set(counts)
    for i in corrected:
        cells = list(parsed[i])
        old = cells[k].strip()
        new = _new_key(old, taken)
        cells[k] = cells[k].replace(old, new)
        truth.deleted.add(old)
        truth.inserted.add(new)
        out[i] = _write(cells, t.delimiter, _split(lines[i])[1])
    inserts: dict[int, list[str]] = {}
    places = sorted(starts - {0})  # before a record, never inside one
    for j, i in enumerate(donors):
        cells = list(parsed[i])
        new = _new_key(cells[k].strip(), taken)
        cells[k] = new
        truth.inserted.add(new)
        at = 1 if j < 2 else rng.choice(places)  # two just below the header: every row below moves
        inserts.setdefault(at, []).append(_write(cells, t.delimiter, nl))
    result = [lines[0]]
    for i in range(1, len(lines)):
        result.extend(inserts.get(i, []))
        kept = out.get(i, lines[i])
        if kept is not None:
            result.append(kept)
    t.path.write_bytes("".join(result).encode("latin-1"))


def _lines(text: str) -> list[str]:
    """Lines ended by LF only (with their CR): not ``str.splitlines``, which also splits at U+0085 — byte 0x85 read
    as Latin-1, found inside UTF-8 letters (``ễ`` is E1 BB 85) — and at lone CRs."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _starts(lines: list[str]) -> set[int]:
    """The lines where a record starts (not inside a quoted field that spans lines): only there may a row go in."""
    out, inside = set(), False
    for i, line in enumerate(lines):
        if not inside:
            out.add(i)
        inside ^= line.count('"') % 2 == 1
    return out


def _new_key(old: str, taken: set[str]) -> str:
    """A key no row has: the old one with a digit changed (an ID corrected) or, failing that, a suffix."""
    for j in range(len(old) - 1, -1, -1):
        if old[j].isdigit():
            for d in "9876543210":
                cand = old[:j] + d + old[j + 1:]
                if cand not in taken:
                    taken.add(cand)
                    return cand
    n = 1
    while f"{old}X{n}" in taken:
        n += 1
    taken.add(f"{old}X{n}")
    return f"{old}X{n}"


# --- NDJSON ------------------------------------------------------------------------------------------------------

def _get(doc: dict[str, Any], path: str) -> Any:
    value: Any = doc
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _set(doc: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        doc = doc[part]
    doc[last] = value


def change_ndjson(group: list[Table], rng: random.Random, share: float, truth: Truth) -> None:
    """One NDJSON file and every table read from it (the keyed one; those exploded from its lists)."""
    main = next(t for t in group if t.key is not None)
    assert main.key is not None
    lines = _lines(main.path.read_bytes().decode("utf-8", "surrogateescape"))
    docs: dict[int, dict[str, Any]] = {}
    counts: dict[str, int] = {}
    for i, line in enumerate(lines):
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        key = _get(doc, main.key) if isinstance(doc, dict) else None
        if isinstance(key, str) and key.strip():
            docs[i] = doc
            counts[key.strip()] = counts.get(key.strip(), 0) + 1
    clean = [i for i, d in docs.items() if counts[_get(d, main.key).strip()] == 1]
    n = max(1, round(len(lines) * share / 6))
    picked = _pick(rng, clean, 5 * n)
    deleted, edited, emptied, corrected, donors = (picked[j * n:(j + 1) * n] for j in range(5))
    fate = TableTruth()
    out: dict[int, str | None] = {}
    texts = main.columns
    for i in deleted:
        fate.deleted.add(_get(docs[i], main.key).strip())
        out[i] = None
    for i in edited + emptied:
        doc = json.loads(lines[i])
        fields = [c for c in texts if c != main.key and isinstance(_get(doc, c), str) and _get(doc, c)]
        if not fields:
            continue
        f = rng.choice(fields)
        _set(doc, f, "" if i in emptied else "Văn " + _get(doc, f))
        fate.updated.add(_get(doc, main.key).strip())
        out[i] = json.dumps(doc, ensure_ascii=False) + "\n"
    taken = set(counts)
    for i in corrected:
        doc = json.loads(lines[i])
        old = _get(doc, main.key).strip()
        new = _new_key(old, taken)
        _set(doc, main.key, new)
        fate.deleted.add(old)
        fate.inserted.add(new)
        out[i] = json.dumps(doc, ensure_ascii=False) + "\n"
    inserts: dict[int, list[str]] = {}
    for j, i in enumerate(donors):
        doc = json.loads(lines[i])
        new = _new_key(_get(doc, main.key).strip(), taken)
        _set(doc, main.key, new)
        fate.inserted.add(new)
        inserts.setdefault(0 if j < 2 else rng.randrange(len(lines)), []).append(json.dumps(doc, ensure_ascii=False)
                                                                                 + "\n")
    result: list[str] = []
    for i in range(len(lines)):
        result.extend(inserts.get(i, []))
        kept = out.get(i, lines[i])
        if kept is not None:
            result.append(kept)
    main.path.write_bytes("".join(result).encode("utf-8", "surrogateescape"))
    for t in group:
        truth[t.label] = fate  # exploded tables: each item follows its record (see check)


# --- SQLite ------------------------------------------------------------------------------------------------------

def change_sqlite(t: Table, rng: random.Random, share: float, truth: TableTruth) -> None:
    con = sqlite3.connect(t.path)
    try:
        q = f'"{t.sql_table}"'
        rows = con.execute(f'SELECT rowid, "{t.key}" FROM {q}').fetchall()
        counts: dict[str, int] = {}
        for _, key in rows:  # as a run keys them: the text, stripped
            counts[str(key).strip()] = counts.get(str(key).strip(), 0) + 1
        clean = [r for r, key in rows if key is not None and str(key) == str(key).strip() and str(key)
                 and counts[str(key)] == 1]
        keys = dict(rows)
        n = max(1, round(len(rows) * share / 6))
        picked = _pick(rng, clean, 5 * n)
        deleted, edited, emptied, corrected, donors = (picked[j * n:(j + 1) * n] for j in range(5))
        info = [(r[1], str(r[2]).upper()) for r in con.execute(f"PRAGMA table_info({q})")]
        texts = [c for c, typ in info if c != t.key and c in t.columns and "TEXT" in typ]
        numeric = isinstance(keys[picked[0]], int) if picked else False
        taken = {str(k) for k in counts}
        for r in deleted:
            truth.deleted.add(str(keys[r]))
            con.execute(f"DELETE FROM {q} WHERE rowid = ?", [r])
        for r in edited + emptied:
            names = ", ".join(f'"{c}"' for c in texts)
            values = con.execute(f"SELECT {names} FROM {q} WHERE rowid = ?", [r]).fetchone() if texts else None
            filled = [c for c, v in zip(texts, values or ()) if isinstance(v, str) and v.strip()]
            if not filled:
                continue
            col = rng.choice(filled)
            new = "" if r in emptied else "Văn " + dict(zip(texts, values or ()))[col]
            con.execute(f'UPDATE {q} SET "{col}" = ? WHERE rowid = ?', [new, r])
            _move_cursor(con, t, q, r)
            truth.updated.add(str(keys[r]))
        top = max((int(k) for k in counts if k.lstrip("-").isdigit()), default=0)
        for j, r in enumerate(corrected + donors):
            # an integer key gets the next free number (a changed digit could read back as another row's: 09 → 9)
            value: Any = top + 1 + j if numeric else _new_key(str(keys[r]), taken)
            if r in corrected:
                con.execute(f'UPDATE {q} SET "{t.key}" = ? WHERE rowid = ?', [value, r])
                _move_cursor(con, t, q, r)
                truth.deleted.add(str(keys[r]))
            else:
                cols = ", ".join(f'"{c}"' for c, _ in info if c != t.key)
                con.execute(f'INSERT INTO {q} ("{t.key}", {cols}) SELECT ?, {cols} FROM {q} WHERE rowid = ?',
                            [value, r])
                _move_cursor(con, t, q, con.execute("SELECT last_insert_rowid()").fetchone()[0])
            truth.inserted.add(str(value))
        con.commit()
    finally:
        con.close()


def _move_cursor(con: sqlite3.Connection, t: Table, q: str, rowid: int) -> None:
    """A row written now gets a cursor value above every other (as a live system stamps the rows it writes): the
    column's highest value plus one — one second for a date-time text (written as the column writes it), one day
    for a date, one for a number."""
    if t.cursor is None:
        return
    top = con.execute(f'SELECT max("{t.cursor}") FROM {q}').fetchone()[0]
    con.execute(f'UPDATE {q} SET "{t.cursor}" = ? WHERE rowid = ?', [_after(top), rowid])


def _after(top: Any) -> Any:
    if top is None:
        return 1
    if isinstance(top, (int, float)):
        return top + 1
    text = str(top)
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"a cursor value this model cannot move on: {text!r}") from None
    if len(text) == 10:  # a date
        return (stamp + timedelta(days=1)).date().isoformat()
    sep = "T" if "T" in text else " "
    return (stamp + timedelta(seconds=1)).isoformat(sep=sep, timespec="microseconds" if "." in text else "seconds")


# --- the estate and the check ------------------------------------------------------------------------------------

def change_estate(merger: Path, share: float, seed: int) -> Truth:
    """Change ~``share`` of the rows of every CSV, NDJSON and SQLite table with a key; returns the truth."""
    rng, truth = random.Random(seed), Truth()
    all_tables = tables(merger)
    by_file: dict[Path, list[Table]] = {}
    for t in all_tables:
        if t.kind == "ndjson":
            by_file.setdefault(t.path, []).append(t)
    for group in by_file.values():
        if any(t.key is not None for t in group):
            change_ndjson(group, rng, share, truth)
    for t in all_tables:
        if t.kind == "csv" and t.key is not None:
            truth[t.label] = TableTruth()
            change_csv(t, rng, share, truth[t.label])
        elif t.kind == "sqlite" and t.key is not None and t.sql_table:
            truth[t.label] = TableTruth()
            change_sqlite(t, rng, share, truth[t.label])
    return truth


def write_truth(truth: Truth, path: Path) -> None:
    path.write_text(json.dumps({k: v.as_dict() for k, v in sorted(truth.items())}, ensure_ascii=False, indent=1),
                    encoding="utf-8")


StoreKeys = dict[str, dict[str, str | None]]  # source/table → key → row hash (None: merged or quarantined only)


def store_keys(rows: Iterable[tuple[str, str, str, str | None]]) -> StoreKeys:
    """Rows (source, table, key, row hash) — records with their row hash, merged and quarantined rows with None —
    as the check reads them."""
    out: StoreKeys = {}
    for source, table, key, h in rows:
        keys = out.setdefault(f"{source}/{table}", {})
        if h is not None or key not in keys:
            keys[key] = h
    return out


def _parent(key: str) -> str:
    return key.rsplit("#", 1)[0]


def check(before: StoreKeys, after: StoreKeys, truth: Truth, exploded: set[str]) -> list[str]:
    """What the store did differently from the truth: per table, the keys that appeared, vanished and changed their
    row hash must be exactly the truth's inserted, deleted and updated keys (an exploded table's items by their
    record). Returns the mismatches (empty: exact)."""
    problems = []
    for label, t in sorted(truth.items()):
        old, new = before.get(label, {}), after.get(label, {})
        appeared, vanished = set(new) - set(old), set(old) - set(new)
        changed = {k for k in set(old) & set(new) if old[k] is not None and new[k] is not None and old[k] != new[k]}
        if label in exploded:
            want_ins = {k for k in new if _parent(k) in t.inserted}
            want_del = {k for k in old if _parent(k) in t.deleted}
            want_upd = set()  # an item's row hash is its own JSON text: its record's edit reloads it, same hash
        else:
            want_ins, want_del = t.inserted, t.deleted
            want_upd = {k for k in t.updated if old.get(k) is not None and new.get(k) is not None}
        for what, got, want in (("inserted", appeared, want_ins), ("deleted", vanished, want_del),
                                ("updated", changed, want_upd)):
            if got != want:
                problems.append(f"{label} {what}: {len(got)} in the store, {len(want)} in the truth "
                                f"(e.g. extra {sorted(got - want)[:3]}, missing {sorted(want - got)[:3]})")
    return problems


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("merger", type=Path)
    ap.add_argument("--share", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--truth", type=Path, required=True)
    args = ap.parse_args()
    truth = change_estate(args.merger, args.share, args.seed)
    write_truth(truth, args.truth)
    print(json.dumps({k: {w: len(v) for w, v in t.as_dict().items()} for k, t in sorted(truth.items())}, indent=1))


if __name__ == "__main__":
    main()
