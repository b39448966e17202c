"""A live legacy estate: the next N days of both provinces' systems, written into the same sources, with truth.

The old systems keep working until each is cut over. Each day brings, per province:

- TTHC: new dossiers (appended), in-flight dossiers moving on (status, history steps, end date: rewritten in place),
  a dossier entered by mistake and deleted;
- the civil-status register: names and ID numbers corrected (rows rewritten in place, in the file's own legacy
  encoding or by ``UPDATE`` in the database), a duplicate registration deleted, births of the day registered (the
  database register);
- on day :data:`LATE_SCAN_DAY`, a late batch of scanned paper birth records (old registration dates) appended.

The truth of what changed is written beside: ``truth/changes.csv`` (one line per change: day, source, table, key,
op ``insert|update|delete``, what) and, per call, ``truth/changes-days-AAA-BBB.json`` (the net inserted, updated and
deleted keys per source table over those days). Keys are the ones a run reads (``source_key``; ``KEY#n`` for the
n-th history step of a dossier); when a dossier moves on and its end date is set, its earlier history steps are
*updated* too (``parent_changed``: a history row is read with its dossier's fields, as a run reads it).
``truth/evolve.json`` keeps the day reached: calling twice for 3 days gives the same bytes as once for 6 (each
day's choices are seeded by the seed and the day, nothing else). The per-table truth files
(``truth/<province>/<table>.csv``) describe day 0.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hopnhat.io.outputs import write_bytes
from hopnhat.synth.dossiers import OFFICERS, PROCEDURES, VOCABULARIES, ReceivingUnit, Step, dossier_record, history_step
from hopnhat.synth.estate_files import CsvRows, NdjsonRows, SqliteRows
from hopnhat.synth.names import GIVEN_FEMALE, GIVEN_MALE
from hopnhat.synth.population import CUTOVER
from hopnhat.synth.scenarios import scaled, scenario
from hopnhat.synth.sinks import SynthError

LATE_SCAN_DAY = 2
OPS = ("insert", "update", "delete")
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Change:
    """One row of one source table changed on one day."""

    day: int
    source: str
    table: str
    key: str
    op: str  # insert | update | delete
    what: str  # new_dossier | status_change | parent_changed | dossier_deleted | name_correction | id_correction
    #            | duplicate_deleted | new_birth | late_scan


@dataclass
class EvolveResult:
    out: Path
    first_day: int
    last_day: int
    changes: list[Change] = field(default_factory=list)

    def net(self) -> dict[str, dict[str, list[str]]]:
        return net_changes(self.changes)


def net_changes(changes: list[Change]) -> dict[str, dict[str, list[str]]]:
    """``source/table`` → inserted, updated, deleted keys, folded over the changes in order (inserted then updated is
    inserted; inserted then deleted is nothing; updated then deleted is deleted)."""
    state: dict[tuple[str, str], dict[str, str]] = {}
    for c in changes:
        keys = state.setdefault((c.source, c.table), {})
        before = keys.get(c.key)
        keys[c.key] = _fold(before, c.op)
    out: dict[str, dict[str, list[str]]] = {}
    for (source, table), keys in sorted(state.items()):
        out[f"{source}/{table}"] = {f"{op}d" if op != "insert" else "inserted": sorted(k for k, v in keys.items()
                                                                                      if v == op) for op in OPS}
    return out


def _fold(before: str | None, op: str) -> str:
    if before == "insert":
        return "none" if op == "delete" else "insert"
    if before == "delete" and op == "insert":
        return "update"
    if before in (None, "none"):
        return op
    return "delete" if op == "delete" else "update"


def read_changes(out: Path, after_day: int = 0) -> list[Change]:
    """The changes of ``truth/changes.csv`` made after ``after_day`` (0: every change since the estate was made)."""
    path = out / "truth" / "changes.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [Change(int(r["day"]), r["source"], r["table"], r["key"], r["op"], r["what"]) for r in rows
            if int(r["day"]) > after_day]


# ---------------------------------------------------------------------------------------------- the estate's layout

@dataclass(frozen=True)
class TableRef:
    source: str
    table: str
    path: Path
    encoding: str
    key: str


@dataclass
class Layout:
    """Where each editable legacy table is, read from the estate's merger.yaml."""

    dossiers: list[tuple[TableRef, TableRef]] = field(default_factory=list)  # (ho_so, history)
    person_csv: list[TableRef] = field(default_factory=list)
    birth_csv: list[TableRef] = field(default_factory=list)
    sqlite: list[tuple[str, Path]] = field(default_factory=list)  # (source, database)


def _columns_key(table: dict[str, Any]) -> str:
    key = table.get("columns", {}).get("source_key", "")
    return key if isinstance(key, str) else str(key.get("column", ""))


def read_layout(out: Path) -> Layout:
    doc = yaml.safe_load((out / "merger.yaml").read_text(encoding="utf-8"))
    layout = Layout()
    for source in doc.get("sources", []):
        kind, name = source.get("kind"), source["name"]
        if kind == "postgresql":
            raise SynthError("a live estate needs the register in SQLite (generated without --dsn)", source=name)
        if kind == "sqlite":
            layout.sqlite.append((name, out / source["path"]))
            continue
        refs = {t["name"]: TableRef(name, t["name"], out / t.get("path", ""), t.get("encoding", "utf-8"),
                                    _columns_key(t)) for t in source.get("tables", [])}
        for t in source.get("tables", []):
            ref = refs[t["name"]]
            if kind == "ndjson" and t.get("maps_to") == "dossier":
                history = next(r for n, r in refs.items() if n != t["name"] and r.path == ref.path)
                layout.dossiers.append((ref, history))
            elif kind == "csv" and t.get("maps_to") == "person" and "column_encodings" not in t:
                layout.person_csv.append(ref)
            elif kind == "csv" and t["name"] == "khai_sinh":
                layout.birth_csv.append(ref)
    return layout


# ---------------------------------------------------------------------------------------------- one day

class Day:
    """The changes of one day; ``self.changes`` collects their truth."""

    def __init__(self, day: int, seed: int, sizes: dict[str, int]) -> None:
        self.day, self.seed, self.sizes = day, seed, sizes
        self.date = CUTOVER + dt.timedelta(days=day - 1)
        self.changes: list[Change] = []

    def rng(self, what: str) -> random.Random:
        return random.Random(f"evolve:{self.seed}:{self.day}:{what}")

    def at(self, rng: random.Random) -> dt.datetime:
        return dt.datetime.combine(self.date, dt.time(7, 30)) + dt.timedelta(minutes=int(rng.random() * 540))

    def note(self, ref: TableRef | tuple[str, str], key: str, op: str, what: str) -> None:
        source, table = (ref.source, ref.table) if isinstance(ref, TableRef) else ref
        self.changes.append(Change(self.day, source, table, key, op, what))


def _count(rng: random.Random, mean: float) -> int:
    """A whole number of events around ``mean`` (at least 1)."""
    base = max(1.0, mean)
    return int(base) + (1 if rng.random() < base - int(base) else 0)


# ---------------------------------------------------------------------------------------------- TTHC dossiers

_STATUS_FIELD = {"absorbed": ("TrangThai", "QuaTrinhXuLy", "NgayKetThuc"),
                 "survivor": ("status", "history", "completed_at")}


def _vendor(ref: TableRef) -> str:
    return "absorbed" if ref.key == "MaHoSo" else "survivor"


def _stage(vendor: str, word: str) -> str | None:
    return next((s for s, w in VOCABULARIES[vendor].items() if w == word), None)


def _officer(record: dict[str, Any], vendor: str) -> str:
    history = record.get(_STATUS_FIELD[vendor][1]) or [{}]
    last = history[-1] if isinstance(history[-1], dict) else {}
    return str(last.get("CanBo" if vendor == "absorbed" else "user") or OFFICERS[0])


def _next_steps(stage: str, at: dt.datetime, rng: random.Random) -> list[Step]:
    if stage == "received":
        return [(at, "Chuyển xử lý", "processing")]
    if stage == "supplement":
        return [(at, "Nhận hồ sơ bổ sung", "processing")]
    if rng.random() < 0.25:
        return [(at, "Yêu cầu bổ sung hồ sơ", "supplement")]
    return [(at, "Có kết quả", "done"), (at + dt.timedelta(hours=1), "Trả kết quả", "returned")]


def _advance(day: Day, rows: NdjsonRows, refs: tuple[TableRef, TableRef], rng: random.Random) -> None:
    vendor = _vendor(refs[0])
    status, hist, end = _STATUS_FIELD[vendor]
    open_ = [i for i in rows.clean() if _stage(vendor, str((rows.records[i] or {}).get(status))) in
             ("received", "processing", "supplement")]
    for i in sorted(rng.sample(open_, min(len(open_), max(1, len(open_) // 4)))):
        before = rows.records[i] or {}
        record = dict(before)
        stage = _stage(vendor, str(record[status])) or "processing"
        steps = _next_steps(stage, day.at(rng), rng)
        officer, history = _officer(record, vendor), list(record.get(hist) or [])
        record[hist] = history + [history_step(vendor, officer, s) for s in steps]
        record[status] = VOCABULARIES[vendor][steps[-1][2]]
        if steps[-1][2] == "returned":
            t = steps[-1][0]
            record[end] = t.strftime("%Y-%m-%dT%H:%M:%S+07:00" if vendor == "absorbed" else "%d/%m/%Y %H:%M")
        rows.replace(i, record)
        code = str(record[rows.key])
        day.note(refs[0], code, "update", "status_change")
        if _parent_seen(before, hist) != _parent_seen(record, hist):  # the earlier steps read differently
            for k in range(len(history)):
                day.note(refs[1], f"{code}#{k}", "update", "parent_changed")
        for k in range(len(history), len(history) + len(steps)):
            day.note(refs[1], f"{code}#{k}", "insert", "status_change")


def _parent_seen(record: dict[str, Any], hist: str) -> dict[str, Any]:
    """What each history row of a dossier carries from the dossier (``ingest.shape.Exploder``): its scalar fields,
    but not those the steps have themselves (a step's own ``status`` wins over the dossier's)."""
    own = {k for step in record.get(hist) or [] if isinstance(step, dict) for k in step}
    return {k: v for k, v in record.items() if k != hist and k not in own and not isinstance(v, (dict, list))}


def _unit_and_applicant(record: dict[str, Any], vendor: str) -> tuple[ReceivingUnit, tuple[str, str, str, str]]:
    if vendor == "absorbed":
        who = record.get("ChuHoSo") or {}
        unit = ReceivingUnit(record["MaDonViTiepNhan"], record.get("TenDonViTiepNhan", ""), "", "")
        return unit, (who.get("HoTen", ""), who.get("SoGiayTo", ""), who.get("DiaChi", ""), "")
    who, agency = record.get("applicant") or {}, record.get("agency") or {}
    unit = ReceivingUnit(agency.get("id", ""), agency.get("name", ""), "", "")
    return unit, (who.get("fullname", ""), who.get("identity_no", ""), who.get("address", ""), "")


def _new_dossiers(day: Day, rows: NdjsonRows, refs: tuple[TableRef, TableRef], rng: random.Random) -> None:
    vendor = _vendor(refs[0])
    clean = rows.clean()
    if not clean:
        return
    per_day = Counter(code.rsplit("-", 1)[0] for code in rows.codes())
    for _ in range(_count(rng, day.sizes[f"dossiers:{vendor}"] / 395)):
        template = rows.records[clean[int(rng.random() * len(clean))]] or {}
        unit, applicant = _unit_and_applicant(template, vendor)
        proc = PROCEDURES[int(rng.random() * len(PROCEDURES))]
        received = day.at(rng)
        prefix = f"{unit.unit_id}-{received:%y%m%d}"
        per_day[prefix] += 1
        code = f"{prefix}-{per_day[prefix]:04d}"
        due = received + dt.timedelta(days=proc[3] * 1.4 + 0.5)
        history: list[Step] = [(received, "Tiếp nhận hồ sơ", "received")]
        officer = OFFICERS[int(rng.random() * len(OFFICERS))]
        rows.append(dossier_record(vendor, officer, code, proc, unit, received, due, None, "received", applicant,
                                   history))
        day.note(refs[0], code, "insert", "new_dossier")
        day.note(refs[1], f"{code}#0", "insert", "new_dossier")


def _delete_dossier(day: Day, rows: NdjsonRows, refs: tuple[TableRef, TableRef], rng: random.Random) -> None:
    clean = rows.clean()
    if not clean or rng.random() >= 0.6:
        return
    i = clean[int(rng.random() * len(clean))]
    record = rows.records[i] or {}
    code = str(record[rows.key])
    steps = record.get(_STATUS_FIELD[_vendor(refs[0])][1]) or []
    rows.delete(i)
    day.note(refs[0], code, "delete", "dossier_deleted")
    for k in range(len(steps) if isinstance(steps, list) else 0):
        day.note(refs[1], f"{code}#{k}", "delete", "dossier_deleted")


def dossier_day(day: Day, refs: tuple[TableRef, TableRef]) -> None:
    rows = NdjsonRows(refs[0].path, refs[0].key)
    rng = day.rng(f"tthc:{refs[0].source}")
    _advance(day, rows, refs, rng)
    _new_dossiers(day, rows, refs, rng)
    _delete_dossier(day, rows, refs, rng)
    rows.save()


# ---------------------------------------------------------------------------------------------- the register

def corrected_name(name: str, female: bool, rng: random.Random) -> str:
    """The name with its given name (last word) corrected to another one of the same sex."""
    words = name.split()
    choices = [g for g in (GIVEN_FEMALE if female else GIVEN_MALE) if not words or g != words[-1]]
    given = choices[int(rng.random() * len(choices))]
    return " ".join([*words[:-1], given]) if len(words) > 1 else name


def corrected_id(number: str) -> str:
    """The ID number with its last digit corrected (a slip of one key)."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def _person_corrections(day: Day, refs: list[TableRef], persons: int) -> None:
    rng = day.rng("register:csv")
    tables = {ref.table: CsvRows(ref.path, ref.encoding, ref.key) for ref in refs}
    by_ref = {ref.table: ref for ref in refs}
    clean = {name: rows.clean() for name, rows in tables.items()}
    edits = [("name_correction", _count(rng, persons / 2000)), ("id_correction", _count(rng, persons / 2000)),
             ("duplicate_deleted", 1 if rng.random() < 0.6 else 0)]
    for what, n in edits:
        for _ in range(n):
            name = sorted(tables)[int(rng.random() * len(tables))]
            rows, positions = tables[name], clean[name]
            if not positions:
                continue
            i = positions.pop(int(rng.random() * len(positions)))
            _edit_csv_person(day, rows, by_ref[name], i, what, rng)
    for rows in tables.values():
        rows.save()


def _edit_csv_person(day: Day, rows: CsvRows, ref: TableRef, i: int, what: str, rng: random.Random) -> None:
    row = rows.row(i)
    key = row[ref.key]
    if what == "duplicate_deleted":
        rows.delete(i)
        day.note(ref, key, "delete", what)
        return
    if what == "name_correction":
        row["HoTen"] = corrected_name(row["HoTen"], row.get("GioiTinh") == "Nữ", rng)
    elif row.get("SoCMND_CCCD", "").isdigit():
        row["SoCMND_CCCD"] = corrected_id(row["SoCMND_CCCD"])
    else:
        return
    rows.replace(i, row)
    day.note(ref, key, "update", what)


def _late_births_csv(day: Day, births: TableRef, persons: list[TableRef]) -> None:
    rng = day.rng("late:csv")
    book = CsvRows(births.path, births.encoding, births.key)
    places = [book.row(i)["NoiDangKy"] for i in book.clean()[:200]] or [""]
    number = max((int(k.split("/")[0]) for k in book.keys() if k.split("/")[0].isdigit()), default=0)
    people = [(ref, CsvRows(ref.path, ref.encoding, ref.key)) for ref in persons]
    candidates = [(rows, i) for _, rows in people for i in rows.clean() if _dmy_date(rows.row(i)["NgaySinh"])]
    for rows, i in rng.sample(candidates, min(len(candidates), max(5, len(book.lines) // 50))):
        person = rows.row(i)
        born = dt.datetime.strptime(person["NgaySinh"], "%d/%m/%Y").date()
        registered = born + dt.timedelta(days=1 + int(rng.random() * 60))
        number += 1
        key = f"{number}/{registered.year}"
        family = person["HoTen"].split()[0] if person["HoTen"] else "Nguyễn"
        book.append({"SoDangKy": key, "NgayDangKy": registered.strftime("%d/%m/%Y"), "MaCongDan": person["MaCongDan"],
                     "HoTenTre": person["HoTen"], "NgaySinh": person["NgaySinh"], "GioiTinh": person["GioiTinh"],
                     "HoTenCha": f"{family} Văn {GIVEN_MALE[int(rng.random() * len(GIVEN_MALE))]}",
                     "HoTenMe": f"Lê Thị {GIVEN_FEMALE[int(rng.random() * len(GIVEN_FEMALE))]}",
                     "NoiDangKy": places[int(rng.random() * len(places))]})
        day.note(births, key, "insert", "late_scan")
    book.save()


def _dmy_date(text: str) -> bool:
    return len(text) == 10 and text[2] == "/" and text[5] == "/"


class _Database:
    """The survivor's register database (SQLite): corrections, a deletion, births of the day, the late scans."""

    def __init__(self, day: Day, source: str, path: Path, province: str) -> None:
        self.day, self.source, self.province = day, source, province
        self.con = sqlite3.connect(path)
        self.people = SqliteRows(self.con, "cong_dan")
        self.events = SqliteRows(self.con, "su_kien_ho_tich")

    def close(self) -> None:
        self.con.commit()
        self.con.close()

    def _note(self, table: str, key: int, op: str, what: str) -> None:
        self.day.note((self.source, table), str(key), op, what)

    def _unreferenced(self) -> list[int]:
        used = {r[0] for r in self.con.execute("SELECT cong_dan_id FROM su_kien_ho_tich UNION "
                                               "SELECT nguoi_lien_quan_id FROM su_kien_ho_tich")}
        return [k for k in self.people.clean() if k not in used]

    def corrections(self, persons: int) -> None:
        rng = self.day.rng(f"register:{self.source}")
        clean = self.people.clean()
        for what in ["name_correction"] * _count(rng, persons / 2000) + ["id_correction"] * _count(rng, persons / 2000):
            key = clean.pop(int(rng.random() * len(clean)))
            row = self.people.row(key)
            if what == "name_correction" and row["ho_ten"]:
                self.people.update(key, {"ho_ten": corrected_name(row["ho_ten"], row["gioi_tinh"] == "Nữ", rng)})
            elif row["so_cccd"] and str(row["so_cccd"]).isdigit():
                self.people.update(key, {"so_cccd": corrected_id(str(row["so_cccd"]))})
            else:
                continue
            self._note("cong_dan", key, "update", what)
        free = self._unreferenced()
        if free and rng.random() < 0.6:
            key = free[int(rng.random() * len(free))]
            self.people.delete(key)
            self._note("cong_dan", key, "delete", "duplicate_deleted")

    def births(self, persons: int) -> None:
        rng = self.day.rng(f"births:{self.source}")
        parents = self.people.clean()
        for _ in range(_count(rng, persons * 15 / 1000 / 365)):
            parent = self.people.row(parents[int(rng.random() * len(parents))])
            female = rng.random() < 0.49
            born = self.day.date - dt.timedelta(days=1 + int(rng.random() * 30))
            family = str(parent["ho_ten"] or "Nguyễn").split()[0]
            given = (GIVEN_FEMALE if female else GIVEN_MALE)[int(rng.random() * 30)]
            name = f"{family} {'Thị' if female else 'Văn'} {given}"
            cccd = f"0{self.province}{3 if female else 2}{born:%y}{int(rng.random() * 1_000_000):06d}"
            child = self.people.insert({**parent, "ho_ten": name, "ngay_sinh": born.isoformat(),
                                        "gioi_tinh": "Nữ" if female else "Nam", "so_cccd": cccd, "so_cmnd": None})
            self._note("cong_dan", child, "insert", "new_birth")
            self._event(child, born, self.day.date, parent, "new_birth")

    def _event(self, person: int, born: dt.date, registered: dt.date, parent: dict[str, Any], what: str) -> None:
        key = self.events.next_id()
        father = parent["ho_ten"] if parent.get("gioi_tinh") == "Nam" else None
        mother = parent["ho_ten"] if parent.get("gioi_tinh") == "Nữ" else None
        self.events.insert({"loai": "KS", "so_dang_ky": f"{key}/{registered.year}",
                            "ngay_dang_ky": registered.isoformat(), "cong_dan_id": person, "nguoi_lien_quan_id": None,
                            "ho_ten_cha": father, "ho_ten_me": mother, "ma_xa_dang_ky": parent["ma_xa_thuong_tru"],
                            "ngay_su_kien": born.isoformat(), "ngay_cap_nhat": self._stamp()})
        self._note("su_kien_ho_tich", key, "insert", what)

    def _stamp(self) -> str:
        """When the register wrote an event row today (its ``ngay_cap_nhat``, a delta run's cursor)."""
        return f"{self.day.date.isoformat()} 16:30:00"

    def event_corrections(self, persons: int) -> None:
        """A parent's name corrected on a birth registration (the row's ``ngay_cap_nhat`` moves on)."""
        rng = self.day.rng(f"events:{self.source}")
        births = [r[0] for r in self.con.execute(
            "SELECT id FROM su_kien_ho_tich WHERE loai = 'KS' AND ho_ten_me <> '' AND id IN "
            "(SELECT id FROM su_kien_ho_tich GROUP BY id HAVING count(*) = 1) ORDER BY id")]
        for _ in range(min(len(births), _count(rng, persons / 2000))):
            key = births.pop(int(rng.random() * len(births)))
            mother = str(self.events.row(key)["ho_ten_me"])
            self.events.update(key, {"ho_ten_me": corrected_name(mother, True, rng), "ngay_cap_nhat": self._stamp()})
            self._note("su_kien_ho_tich", key, "update", "event_correction")

    def late_scans(self) -> None:
        rng = self.day.rng(f"late:{self.source}")
        registered = {r[0] for r in self.con.execute("SELECT cong_dan_id FROM su_kien_ho_tich WHERE loai = 'KS'")}
        people = [k for k in self.people.clean() if k not in registered]
        size = max(5, len(self.events.clean()) // 50)
        for key in sorted(rng.sample(people, min(size, len(people)))):
            row = self.people.row(key)
            try:
                born = dt.date.fromisoformat(str(row["ngay_sinh"]))
            except ValueError:
                continue
            parent = {"ho_ten": None, "gioi_tinh": None, "ma_xa_thuong_tru": row["ma_xa_thuong_tru"]}
            self._event(key, born, born + dt.timedelta(days=1 + int(rng.random() * 60)), parent, "late_scan")


# ---------------------------------------------------------------------------------------------- the whole

def _meta(out: Path) -> dict[str, Any]:
    path = out / "truth" / "summary.json"
    if not path.exists():
        raise SynthError("no estate here (truth/summary.json missing): run 'hopnhat synth' first", source=str(out))
    meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return meta


def _sizes(meta: dict[str, Any]) -> dict[str, int]:
    scn = scenario(meta["scenario"])
    sizes = {f"persons:{side.slug}": int(meta["persons"][side.slug]) for side in scn.sides}
    sizes["dossiers:absorbed"] = scaled(scn.absorbed.dossiers, meta["scale"])
    sizes["dossiers:survivor"] = scaled(scn.survivor.dossiers, meta["scale"])
    sizes["province:survivor"] = int(scn.survivor.code)
    return sizes


def current_day(out: Path) -> int:
    path = out / "truth" / "evolve.json"
    return int(json.loads(path.read_text(encoding="utf-8"))["day"]) if path.exists() else 0


def _one_day(day: Day, layout: Layout, sizes: dict[str, int], absorbed: str) -> None:
    for refs in layout.dossiers:
        dossier_day(day, refs)
    if layout.person_csv:
        _person_corrections(day, layout.person_csv, sizes[f"persons:{absorbed}"])
    if day.day == LATE_SCAN_DAY:
        for births in layout.birth_csv:
            _late_births_csv(day, births, layout.person_csv)
    for source, path in layout.sqlite:
        db = _Database(day, source, path, f"{sizes['province:survivor']:03d}")
        persons = next(v for k, v in sizes.items() if k.startswith("persons:") and k != f"persons:{absorbed}")
        db.corrections(persons)
        db.births(persons)
        db.event_corrections(persons)
        if day.day == LATE_SCAN_DAY:
            db.late_scans()
        db.close()


def _days(first: int, days: int) -> Iterator[int]:
    return iter(range(first + 1, first + days + 1))


def evolve(out: Path, days: int, progress: Progress | None = None) -> EvolveResult:
    """Move the estate under ``out`` on by ``days`` days (from the day it reached), writing the truth beside."""
    if days < 1:
        raise SynthError("the number of days must be at least 1", value=str(days))
    meta, layout = _meta(out), read_layout(out)
    sizes, absorbed = _sizes(meta), scenario(meta["scenario"]).absorbed.slug
    start = current_day(out)
    result = EvolveResult(out, start + 1, start + days)
    for n in _days(start, days):
        day = Day(n, int(meta["seed"]), sizes)
        _one_day(day, layout, sizes, absorbed)
        _append_changes(out, day.changes)
        write_bytes(out / "truth" / "evolve.json", json.dumps({"day": n}).encode("utf-8"))
        result.changes += day.changes
        if progress:
            progress("days", days, 1)
    _write_net(out, result)
    return result


def _append_changes(out: Path, changes: list[Change]) -> None:
    path = out / "truth" / "changes.csv"
    new = not path.exists()
    with path.open("a", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        if new:
            writer.writerow(["day", "source", "table", "key", "op", "what"])
        writer.writerows([c.day, c.source, c.table, c.key, c.op, c.what] for c in changes)


def _write_net(out: Path, result: EvolveResult) -> None:
    net = result.net()
    doc = {"days": [result.first_day, result.last_day],
           "counts": {t: {op: len(keys) for op, keys in ops.items()} for t, ops in net.items()}, "tables": net}
    name = f"changes-days-{result.first_day:03d}-{result.last_day:03d}.json"
    write_bytes(out / "truth" / name, json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))
