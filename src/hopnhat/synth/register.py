"""The population / civil-status register of one old province.

- The surviving province keeps it in a SQL database (tables ``cong_dan`` and ``su_kien_ho_tich``; ISO dates, commune
  codes of the OLD version beside free-text addresses).
- The absorbed province exports CSV files: ``nhan_khau_*.csv`` per group of districts, each in the encoding of the
  software that district used (TCVN3, VNI, Windows-1258 decomposed, UTF-8 with BOM), and ``khai_sinh.csv``,
  ``ket_hon.csv`` (names in VNI, the rest UTF-8: one encoding per column; closed by the report's total "Tổng số:
  1.234 trường hợp" and its signature block); dates dd/mm/yyyy. Its death register
  stayed in the old FoxPro program: ``hotich/khai_tu.dbf`` with its ``.fpt`` memos, typed in TCVN3 under a
  Windows-1252 code page byte, dates as FoxPro dates (:mod:`hopnhat.synth.foxpro`).

Duplicates: ~3 % of people registered twice in their province, ~2 % of the other province's people also registered
here (they moved), each copy with 1–3 noises. Copies are written later than the original, as a re-registration is.
"""

from __future__ import annotations

import datetime as dt
import random
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hopnhat.synth.db import DbSink
from hopnhat.synth.foxpro import FoxProTable
from hopnhat.synth.names import TABLES
from hopnhat.synth.noise import pick_noises
from hopnhat.synth.people import Assignment, PersonRow, person_row
from hopnhat.synth.population import Population
from hopnhat.synth.tables import CsvTable, DbTable, ReportEnd, Table, TableInfo
from hopnhat.units.reference import Unit, reference

WITHIN_DUP_RATE = 0.03
CROSS_DUP_RATE = 0.02
BATCH = 50_000
DB_STYLES = ("full", "full", "full", "abbrev", "no_province", "abbrev_tight")
CSV_STYLES = ("full", "abbrev", "abbrev_tight", "no_diacritics", "upper", "upper_no_diacritics", "typo", "no_district",
              "no_province", "commune_only", "no_types", "dash", "numbered_ward")
FILE_ENCODINGS = ("tcvn3", "vni", "cp1258-decomposed", "utf-8")
FILE_SUFFIX = {"tcvn3": "tcvn3", "vni": "vni", "cp1258-decomposed": "cp1258", "utf-8": "utf8"}
PERSON_TRUTH = ("entity", "true_name", "true_birth", "address_old_commune", "address_hamlet", "address_new_commune",
                "address_style", "noises")
EVENT_TRUTH = ("kind", "entity", "entity2")

DB_PERSON = [("id", "INTEGER"), ("ho_ten", "TEXT"), ("ngay_sinh", "TEXT"), ("gioi_tinh", "TEXT"), ("so_cccd", "TEXT"),
             ("so_cmnd", "TEXT"), ("so_dien_thoai", "TEXT"), ("ma_xa_thuong_tru", "TEXT"),
             ("dia_chi_thuong_tru", "TEXT"), ("que_quan", "TEXT"), ("dan_toc", "TEXT")]
DB_EVENT = [("id", "INTEGER"), ("loai", "TEXT"), ("so_dang_ky", "TEXT"), ("ngay_dang_ky", "TEXT"),
            ("cong_dan_id", "INTEGER"), ("nguoi_lien_quan_id", "INTEGER"), ("ho_ten_cha", "TEXT"),
            ("ho_ten_me", "TEXT"), ("ma_xa_dang_ky", "TEXT"), ("ngay_su_kien", "TEXT"), ("ngay_cap_nhat", "TEXT")]
# the register stamps each event row when it is written (its cursor for delta runs: hopnhat.load.cursor); the rows
# of the estate as generated were last written by the day before the cut-over at the latest
LAST_WRITTEN = dt.date(2025, 6, 30)
CSV_PERSON = ["MaCongDan", "HoTen", "NgaySinh", "GioiTinh", "SoCMND_CCCD", "QueQuan", "NoiThuongTru", "DienThoai"]
CSV_BIRTH = ["SoDangKy", "NgayDangKy", "MaCongDan", "HoTenTre", "NgaySinh", "GioiTinh", "HoTenCha", "HoTenMe",
             "NoiDangKy"]
# the marriage register's export closes as the civil-status system's reports do: its total, then the signatures
MARRIAGE_REPORT = ReportEnd("trường hợp", "Phạm Thị Thu", "Hoàng Văn Nam", "Ngày 30 tháng 6 năm 2025")
CSV_MARRIAGE = ["SoDangKy", "NgayDangKy", "MaChong", "HoTenChong", "MaVo", "HoTenVo", "NoiDangKy"]
# the FoxPro death register: ten-letter field names, FoxPro dates, a memo of notes
DBF_DEATH = {"SODANGKY": "C(20)", "NGAYDANGKY": "D", "MACONGDAN": "C(16)", "HOTEN": "C(60)", "NGAYCHET": "D",
             "NOIDANGKY": "C(120)", "GHICHU": "M"}
DEATH_NOTES = ("", "", "", "", "", "Đăng ký khai tử quá hạn", "Khai tử theo trích lục bản sao",
               "Người đi khai: con ruột, giấy báo tử của trạm y tế xã", "")


@dataclass
class Register:
    """Where one province's register goes, and what was written (for merger.yaml and the summary)."""

    pop: Population
    partner: Population
    assignment: Assignment
    seed: int
    estate: Path
    truth: Path
    db: DbSink | None = None
    db_label: str = ""
    tables: list[Table] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.pop.side.slug


def _province_name(pop: Population, i: int) -> str:
    codes = sorted(reference().provinces["old"])
    return reference().provinces["old"][codes[int(pop.birth_province[i])]].name


class _Writer(ABC):
    """Shared logic: row keys, duplicates, events; shapes differ (database vs CSV)."""

    styles: tuple[str, ...]  # the address styles the subclass writes

    def __init__(self, reg: Register) -> None:
        self.reg = reg
        self.rng = random.Random(f"register:{reg.seed}:{reg.slug}")
        self.row = 0
        self.event = 0
        self.keys: dict[int, str] = {}

    def run(self, progress: Callable[[int], None] = lambda n: None) -> None:
        pop, n = self.reg.pop, len(self.reg.pop)
        nprng = np.random.default_rng([self.reg.seed, int(pop.side.code), 2])
        dups = np.flatnonzero(nprng.random(n) < WITHIN_DUP_RATE)
        partners = max(1, len(self.reg.partner))
        cross = np.flatnonzero(nprng.random(len(self.reg.partner)) < CROSS_DUP_RATE * len(pop) / partners)
        pending: list[int] = []
        for start in range(0, n, BATCH):
            stop = min(n, start + BATCH)
            for i in range(start, stop):
                self.keys[i] = self.person(person_row(pop, i, self.rng, self.reg.assignment, self.styles), i)
                self.events_of(i)
            self.duplicates(pending, pop)
            pending = list(dups[(dups >= start) & (dups < stop)])
            part = cross[(cross * n // partners >= start) & (cross * n // partners < stop)]
            self.duplicates(list(part), self.reg.partner, home=pop)
            progress(stop - start)
        self.duplicates(pending, pop)
        self.marriages()
        for table in self.reg.tables:
            table.close()

    def duplicates(self, entities: list[int], pop: Population, home: Population | None = None) -> None:
        for i in entities:
            noises = pick_noises(self.rng)
            self.person(person_row(pop, int(i), self.rng, self.reg.assignment, self.styles, noises, home), None)

    def next_key(self) -> int:
        self.row += 1
        return self.row

    def events_of(self, i: int) -> None:
        pop = self.reg.pop
        born = pop.birth(i)
        if born.year >= 1995:
            self.birth_event(i, born)
        if born.year < 1950 and self.rng.random() < 0.15:
            self.death_event(i, dt.date(2016, 1, 1) + dt.timedelta(days=int(self.rng.random() * 3400)))

    def marriages(self) -> None:
        pop = self.reg.pop
        adults = [i for i in pop.adults() if i in self.keys]
        men = [i for i in adults if not pop.female[i]]
        women = [i for i in adults if pop.female[i]]
        self.rng.shuffle(men)
        self.rng.shuffle(women)
        for husband, wife in list(zip(men, women))[: int(0.25 * len(adults) / 2)]:
            self.marriage_event(int(husband), int(wife))

    def parent_names(self, i: int) -> tuple[str, str]:
        pop, rng = self.reg.pop, self.rng
        family = TABLES.family[int(pop.family[i])]
        father = f"{family} {TABLES.middle[int(rng.random() * TABLES.n_middle_male)]} " \
                 f"{TABLES.given[int(rng.random() * TABLES.n_given_male)]}"
        mother_family = TABLES.family[int(rng.random() * 12)]
        mother = f"{mother_family} Thị {TABLES.given[TABLES.n_given_male + int(rng.random() * 30)]}"
        return father, mother

    def commune_code(self, i: int) -> str:
        return self.reg.pop.communes[int(self.reg.pop.commune[i])].code

    def book_number(self, day: dt.date) -> str:
        self.event += 1
        return f"{self.event}/{day.year}"  # unique in the register: number within the book of the year

    @abstractmethod
    def person(self, p: PersonRow, i: int | None) -> str:
        """Write one person record (``i``: the entity, None for a duplicate); its key."""

    @abstractmethod
    def birth_event(self, i: int, born: dt.date) -> None:
        """Write the birth registration of entity ``i``."""

    @abstractmethod
    def death_event(self, i: int, day: dt.date) -> None:
        """Write the death registration of entity ``i``."""

    @abstractmethod
    def marriage_event(self, husband: int, wife: int) -> None:
        """Write the marriage registration of two entities."""


def _district_of(unit: Unit) -> str:
    if unit.district_code is None:
        raise ValueError(f"old commune {unit.code} ({unit.name}) has no district in the reference")
    return unit.district_code


class DbWriter(_Writer):
    styles = DB_STYLES

    def __init__(self, reg: Register) -> None:
        super().__init__(reg)
        assert reg.db is not None
        truth = reg.truth / reg.slug
        self.persons = DbTable(TableInfo("dancu", "cong_dan", "id", [n for n, _ in DB_PERSON], ("ngay_sinh",),
                                         PERSON_TRUTH), truth / "cong_dan.csv", str(reg.seed), reg.db, DB_PERSON,
                               ("ho_ten", "dia_chi_thuong_tru"))
        self.events = DbTable(TableInfo("dancu", "su_kien_ho_tich", "id", [n for n, _ in DB_EVENT],
                                        ("ngay_dang_ky", "ngay_su_kien"), EVENT_TRUTH), truth / "su_kien_ho_tich.csv",
                              str(reg.seed), reg.db, DB_EVENT, ("ho_ten_cha", "ho_ten_me"))
        reg.tables += [self.persons, self.events]

    def person(self, p: PersonRow, i: int | None) -> str:
        key = str(self.next_key())
        pop = self.reg.pop if i is not None else None
        self.persons.add({
            "id": key, "ho_ten": p.name, "ngay_sinh": p.birth_text(iso=True), "gioi_tinh": p.sex,
            "so_cccd": p.id_number if p.id_kind == "cccd" else "",
            "so_cmnd": p.id_number if p.id_kind == "cmnd" else "",
            "so_dien_thoai": p.phone, "ma_xa_thuong_tru": p.address.old_code, "dia_chi_thuong_tru": p.address.text,
            "que_quan": _province_name(pop, i) if pop is not None and i is not None else "", "dan_toc": "Kinh",
        }, _person_truth(p))
        return key

    def _event(self, kind: str, day: dt.date, who: str, extra: dict[str, str], truth: dict[str, str]) -> None:
        self.events.add({"id": str(self.event + 1), "loai": kind, "so_dang_ky": self.book_number(day),
                         "ngay_dang_ky": day.isoformat(), "cong_dan_id": who, **extra,
                         "ngay_cap_nhat": f"{min(day, LAST_WRITTEN).isoformat()} 17:00:00"}, truth)

    def birth_event(self, i: int, born: dt.date) -> None:
        father, mother = self.parent_names(i)
        day = born + dt.timedelta(days=int(self.rng.random() * 60))
        self._event("KS", day, self.keys[i], {"ho_ten_cha": father, "ho_ten_me": mother,
                    "ma_xa_dang_ky": self.commune_code(i), "ngay_su_kien": born.isoformat()},
                    {"kind": "birth", "entity": self.reg.pop.entity_id(i)})

    def death_event(self, i: int, day: dt.date) -> None:
        self._event("KT", day + dt.timedelta(days=3), self.keys[i], {"ma_xa_dang_ky": self.commune_code(i),
                    "ngay_su_kien": day.isoformat()}, {"kind": "death", "entity": self.reg.pop.entity_id(i)})

    def marriage_event(self, husband: int, wife: int) -> None:
        day = dt.date(2000, 1, 1) + dt.timedelta(days=int(self.rng.random() * 9000))
        pop = self.reg.pop
        self._event("KH", day, self.keys[husband], {"nguoi_lien_quan_id": self.keys[wife],
                    "ma_xa_dang_ky": self.commune_code(wife), "ngay_su_kien": day.isoformat()},
                    {"kind": "marriage", "entity": pop.entity_id(husband), "entity2": pop.entity_id(wife)})


def _person_truth(p: PersonRow) -> dict[str, str]:
    return {"entity": p.entity, "true_name": p.true_name, "true_birth": p.true_birth.isoformat(),
            "address_old_commune": p.address.old_code, "address_hamlet": p.address.hamlet,
            "address_new_commune": p.address.new_code, "address_style": p.address.style, "noises": ";".join(p.noises)}


class CsvWriter(_Writer):
    styles = CSV_STYLES

    def __init__(self, reg: Register) -> None:
        super().__init__(reg)
        self.prefix = reg.slug[:3].upper()
        estate, truth, seed = reg.estate / reg.slug / "dancu", reg.truth / reg.slug, str(reg.seed)
        districts = sorted({_district_of(u) for u in reg.pop.communes})
        self.group = {d: k % len(FILE_ENCODINGS) for k, d in enumerate(districts)}
        self.person_tables: list[CsvTable] = []
        for enc in FILE_ENCODINGS:
            name = f"nhan_khau_{FILE_SUFFIX[enc]}"
            real = enc
            reg.encodings[f"{name}.csv"] = real
            self.person_tables.append(CsvTable(TableInfo("dancu", name, "MaCongDan", CSV_PERSON, ("NgaySinh",),
                                                         PERSON_TRUTH), truth / f"{name}.csv", seed,
                                               estate / f"{name}.csv", real, bom=real == "utf-8"))
        births_enc, names_enc = "tcvn3", "vni"
        reg.encodings.update({"khai_sinh.csv": births_enc, "ket_hon.csv": f"utf-8;HoTenChong,HoTenVo={names_enc}",
                              "khai_tu.dbf": "tcvn3"})
        self.births = CsvTable(TableInfo("dancu", "khai_sinh", "SoDangKy", CSV_BIRTH, ("NgayDangKy", "NgaySinh"),
                               EVENT_TRUTH), truth / "khai_sinh.csv", seed, estate / "khai_sinh.csv", births_enc)
        self.marriage = CsvTable(TableInfo("dancu", "ket_hon", "SoDangKy", CSV_MARRIAGE, ("NgayDangKy",), EVENT_TRUTH),
                                 truth / "ket_hon.csv", seed, estate / "ket_hon.csv", "utf-8",
                                 {"HoTenChong": names_enc, "HoTenVo": names_enc}, report_end=MARRIAGE_REPORT)
        deaths = TableInfo("hotich", "khai_tu", "SODANGKY", list(DBF_DEATH), ("NGAYDANGKY", "NGAYCHET"), EVENT_TRUTH)
        self.deaths = FoxProTable(deaths, truth / "khai_tu.csv", seed, reg.estate / reg.slug / "hotich" / "khai_tu.dbf",
                                  DBF_DEATH, "tcvn3")
        reg.tables += [*self.person_tables, self.births, self.marriage, self.deaths]

    def person(self, p: PersonRow, i: int | None) -> str:
        key = f"{self.prefix}{self.next_key():08d}"
        district = _district_of(reference().communes["old"][p.address.old_code])
        table = self.person_tables[self.group.get(district, 0)]
        que = _province_name(self.reg.pop, i) if i is not None else ""
        table.add({"MaCongDan": key, "HoTen": p.name, "NgaySinh": p.birth_text(iso=False), "GioiTinh": p.sex,
                   "SoCMND_CCCD": p.id_number, "QueQuan": que, "NoiThuongTru": p.address.text,
                   "DienThoai": p.phone}, _person_truth(p))
        return key

    def place(self, i: int) -> str:
        return self.reg.pop.communes[int(self.reg.pop.commune[i])].name

    def birth_event(self, i: int, born: dt.date) -> None:
        father, mother = self.parent_names(i)
        day = born + dt.timedelta(days=int(self.rng.random() * 60))
        pop = self.reg.pop
        self.births.add({"SoDangKy": self.book_number(day), "NgayDangKy": _dmy(day), "MaCongDan": self.keys[i],
                         "HoTenTre": pop.name(i), "NgaySinh": _dmy(born), "GioiTinh": pop.sex(i), "HoTenCha": father,
                         "HoTenMe": mother, "NoiDangKy": self.place(i)}, {"kind": "birth", "entity": pop.entity_id(i)})

    def death_event(self, i: int, day: dt.date) -> None:
        pop = self.reg.pop
        book = self.book_number(day)
        self.deaths.add({"SODANGKY": book, "NGAYDANGKY": (day + dt.timedelta(days=3)).isoformat(),
                         "MACONGDAN": self.keys[i], "HOTEN": pop.name(i), "NGAYCHET": day.isoformat(),
                         "NOIDANGKY": self.place(i), "GHICHU": DEATH_NOTES[sum(map(ord, book)) % 9]},
                        {"kind": "death", "entity": pop.entity_id(i)})

    def marriage_event(self, husband: int, wife: int) -> None:
        day = dt.date(2000, 1, 1) + dt.timedelta(days=int(self.rng.random() * 9000))
        pop = self.reg.pop
        self.marriage.add({"SoDangKy": self.book_number(day), "NgayDangKy": _dmy(day), "MaChong": self.keys[husband],
                           "HoTenChong": pop.name(husband), "MaVo": self.keys[wife], "HoTenVo": pop.name(wife),
                           "NoiDangKy": self.place(wife)},
                          {"kind": "marriage", "entity": pop.entity_id(husband), "entity2": pop.entity_id(wife)})


def _dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def write_register(reg: Register, progress: Callable[[int], None] = lambda n: None) -> list[Table]:
    """Write one province's register (database when ``reg.db`` is set, else CSV exports) with its truth."""
    writer: _Writer = DbWriter(reg) if reg.db is not None else CsvWriter(reg)
    writer.run(progress)
    return reg.tables
