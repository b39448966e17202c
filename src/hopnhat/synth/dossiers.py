"""TTHC (administrative-procedure) dossiers as an NDJSON API export, one object per line, with processing history.

The two provinces run different vendors' systems: different field names, date formats and local status vocabularies
(see :data:`VOCABULARIES`; the truth maps each local status to the national 1–10 codes). Dossier codes are
``UnitID-YYMMDD-XXXX`` (XXXX: the receiving unit's sequence of that day). The export is taken at the cut-over
(1/7/2025 00:00): dossiers still open then are *in flight*; an open dossier whose due date has passed is overdue.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hopnhat.synth.population import CUTOVER, Population
from hopnhat.synth.sinks import TruthSink
from hopnhat.synth.tables import TableInfo, impossible_date
from hopnhat.units.reference import reference, strip_type

START = dt.date(2024, 6, 1)  # 13 months before the cut-over
NATIONAL_STATUS = {1: "Mới đăng ký", 2: "Được tiếp nhận", 3: "Không được tiếp nhận", 4: "Đang xử lý",
                   5: "Yêu cầu bổ sung giấy tờ", 6: "Yêu cầu thực hiện nghĩa vụ tài chính",
                   7: "Công dân yêu cầu rút hồ sơ", 8: "Dừng xử lý", 9: "Đã xử lý xong", 10: "Đã trả kết quả"}
VOCABULARIES = {
    "absorbed": {"received": "TiepNhan", "processing": "DangXuLy", "supplement": "ChoBoSung", "done": "DaCoKetQua",
                 "returned": "DaTraKetQua", "rejected": "TuChoi", "withdrawn": "RutHoSo", "paused": "TamDung"},
    "survivor": {"received": "Mới tiếp nhận", "processing": "Đang giải quyết", "supplement": "Yêu cầu bổ sung",
                 "done": "Đã giải quyết", "returned": "Đã trả kết quả", "rejected": "Không giải quyết",
                 "withdrawn": "Công dân rút hồ sơ", "paused": "Dừng xử lý"},
}
STAGE_TO_NATIONAL = {"received": 2, "processing": 4, "supplement": 5, "done": 9, "returned": 10, "rejected": 3,
                     "withdrawn": 7, "paused": 8}
# (code, name, level, days allowed)
Procedure = tuple[str, str, str, int]  # (code, name, level, days allowed)
Step = tuple[dt.datetime, str, str]  # (when, action, stage)

PROCEDURES: tuple[Procedure, ...] = (
    ("1.001193", "Đăng ký khai sinh", "commune", 1), ("1.000894", "Đăng ký kết hôn", "commune", 3),
    ("1.000656", "Đăng ký khai tử", "commune", 1), ("2.000908", "Chứng thực bản sao từ bản chính", "commune", 1),
    ("1.004227", "Cấp bản sao trích lục hộ tịch", "commune", 1),
    ("1.003583", "Xác nhận tình trạng hôn nhân", "commune", 3),
    ("2.000720", "Đăng ký thành lập hộ kinh doanh", "district", 3),
    ("1.004222", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "district", 15),
    ("1.003003", "Đăng ký biến động quyền sử dụng đất", "district", 10),
    ("1.001009", "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu", "district", 30),
    ("2.001610", "Đăng ký thành lập doanh nghiệp", "province", 3),
    ("1.002252", "Cấp phiếu lý lịch tư pháp", "province", 10),
    ("1.001780", "Cấp giấy phép lái xe (đổi)", "province", 5), ("1.000775", "Cấp chứng chỉ hành nghề", "province", 20),
)
_LEVEL_WEIGHTS = {"commune": 0.5, "district": 0.35, "province": 0.15}
OFFICERS = ("Nguyễn Thị Hạnh", "Trần Văn Nam", "Lê Thị Thu", "Phạm Minh Đức", "Võ Thị Lan", "Huỳnh Văn Tài")
DOSSIER_TRUTH = ("code", "applicant_entity", "receiving_unit_id", "receiving_unit_admin", "national_status",
                 "in_flight", "overdue", "due", "defects")


@dataclass(frozen=True)
class ReceivingUnit:
    unit_id: str
    name: str
    level: str
    admin_code: str  # old province (2), district (3) or commune (5) code


def receiving_units(pop: Population, vendor: str) -> list[ReceivingUnit]:
    """The units that receive dossiers: provincial departments, old districts, old communes."""
    ref, prov = reference(), pop.side.code
    centre = f"Trung tâm Phục vụ hành chính công {ref.provinces['old'][prov].name}"
    units = [ReceivingUnit(_uid(vendor, prov, 0, 0), centre, "province", prov)]
    for d_idx, district in enumerate(sorted(ref.districts_in(prov), key=lambda u: u.code), start=1):
        units.append(ReceivingUnit(_uid(vendor, prov, d_idx, 0), f"UBND {district.name}", "district", district.code))
        for c_idx, commune in enumerate(sorted(ref.communes_in("old", prov, district.code), key=lambda u: u.code), 1):
            units.append(ReceivingUnit(_uid(vendor, prov, d_idx, c_idx), f"UBND {commune.name}", "commune",
                                       commune.code))
    return units


def _uid(vendor: str, prov: str, district: int, commune: int) -> str:
    if vendor == "absorbed":
        return f"000.{commune:02d}.{district:02d}.H{prov}"
    return f"{prov}{district:02d}{commune:03d}"


@dataclass
class _Month:
    received: np.ndarray  # seconds since START
    procedure: np.ndarray
    unit: np.ndarray
    applicant: np.ndarray
    duration: np.ndarray  # seconds to finish
    outcome: np.ndarray  # 0 returned, 1 rejected, 2 withdrawn


def _month_arrays(rng: np.random.Generator, count: int, lo: int, hi: int, n_people: int) -> _Month:
    received = np.sort(rng.integers(lo, hi, size=count))
    procedure = rng.integers(0, len(PROCEDURES), size=count)
    days = np.array([p[3] for p in PROCEDURES])[procedure]
    duration = (rng.gamma(2.0, 0.45, size=count) * days * 86400 * 1.3 + 3600).astype(np.int64)
    stuck = rng.random(count) < 0.02
    duration = np.where(stuck, duration * 8 + 30 * 86400, duration)
    outcome = np.searchsorted([0.96, 0.985], rng.random(count))
    return _Month(received, procedure, np.zeros(count, dtype=np.int64), rng.integers(0, n_people, size=count),
                  duration, outcome)


class DossierWriter:
    """Streams one province's dossiers month by month to NDJSON, with truth and defects."""

    def __init__(self, pop: Population, vendor: str, total: int, seed: int, estate: Path, truth: Path) -> None:
        self.pop, self.vendor, self.total, self.seed = pop, vendor, total, seed
        self.units = receiving_units(pop, vendor)
        self.by_level = {lvl: [i for i, u in enumerate(self.units) if u.level == lvl] for lvl in _LEVEL_WEIGHTS}
        self.rng = random.Random(f"dossiers:{seed}:{pop.side.slug}")
        self.path = estate / pop.side.slug / "tthc" / "ho_so.ndjson"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.truth = TruthSink(truth / pop.side.slug / "tthc_ho_so.csv", ["row_number", *DOSSIER_TRUTH])
        self.info = TableInfo("tthc", "ho_so", "MaHoSo" if vendor == "absorbed" else "code", [], defect_rate=0.003)
        self._last_code = ""
        self.in_flight = 0
        self.overdue = 0

    def write_units(self) -> Path:
        path = self.path.parent / "don_vi.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            fh.write("ma_don_vi,ten_don_vi,cap,ma_hanh_chinh\n")
            for u in self.units:
                fh.write(f"{u.unit_id},{u.name},{u.level},{u.admin_code}\n")
        return path

    def run(self, progress: Callable[[int], None] = lambda n: None) -> None:
        nprng = np.random.default_rng([self.seed, int(self.pop.side.code), 3])
        span = (CUTOVER - START).days * 86400
        months = 13
        with self.path.open("w", encoding="utf-8", newline="\n") as out:
            for m in range(months):
                count = self.total // months + (1 if m < self.total % months else 0)
                batch = _month_arrays(nprng, count, span * m // months, span * (m + 1) // months, len(self.pop))
                self._assign_units(nprng, batch)
                for line in self._lines(batch):
                    out.write(line)
                progress(count)
        self.truth.close()

    def _assign_units(self, nprng: np.random.Generator, batch: _Month) -> None:
        levels = np.array([PROCEDURES[p][2] for p in batch.procedure])
        for lvl, members in self.by_level.items():
            mask = levels == lvl
            batch.unit[mask] = np.array(members)[nprng.integers(0, len(members), size=int(mask.sum()))]

    def _lines(self, b: _Month) -> Iterator[str]:
        seq: dict[tuple[int, int], int] = {}
        start = dt.datetime.combine(START, dt.time(7, 30))
        cut = dt.datetime.combine(CUTOVER, dt.time(0, 0))
        for k in range(len(b.received)):
            seconds = int(b.received[k])
            received = start + dt.timedelta(seconds=seconds % 86400 // 3 + 86400 * (seconds // 86400))
            unit = self.units[int(b.unit[k])]
            day_key = (int(b.unit[k]), received.toordinal())
            seq[day_key] = seq.get(day_key, 0) + 1
            code = f"{unit.unit_id}-{received:%y%m%d}-{seq[day_key]:04d}"
            yield self._dossier(k, b, code, unit, received, cut)

    def _dossier(self, k: int, b: _Month, code: str, unit: ReceivingUnit, received: dt.datetime,
                 cut: dt.datetime) -> str:
        proc = PROCEDURES[int(b.procedure[k])]
        due = received + dt.timedelta(days=proc[3] * 1.4 + 0.5)
        finished: dt.datetime | None = received + dt.timedelta(seconds=int(b.duration[k]))
        stage = ("returned", "rejected", "withdrawn")[int(b.outcome[k])]
        open_ = finished is not None and finished >= cut
        if open_:
            stage = "supplement" if self.rng.random() < 0.15 else "processing"
            finished = None
        overdue = open_ and due < cut
        self.in_flight += open_
        self.overdue += overdue
        history = self._history(received, finished, stage)
        applicant = self._applicant(int(b.applicant[k]))
        row = self._shape(code, proc, unit, received, due, finished, stage, applicant, history)
        return self._emit(row, code, unit, applicant[3], STAGE_TO_NATIONAL[stage], open_, overdue, due)

    def _history(self, received: dt.datetime, finished: dt.datetime | None, stage: str) -> list[Step]:
        steps = [(received, "Tiếp nhận hồ sơ", "received"),
                 (received + dt.timedelta(hours=2), "Chuyển xử lý", "processing")]
        if stage == "supplement" or self.rng.random() < 0.05:
            steps.append((received + dt.timedelta(days=1), "Yêu cầu bổ sung hồ sơ", "supplement"))
        if finished is not None:
            if stage == "returned":
                steps.append((finished - dt.timedelta(hours=1), "Có kết quả", "done"))
            steps.append((finished, {"returned": "Trả kết quả", "rejected": "Từ chối giải quyết",
                                     "withdrawn": "Công dân rút hồ sơ"}[stage], stage))
        return steps

    def _applicant(self, i: int) -> tuple[str, str, str, str]:
        pop, rng = self.pop, self.rng
        number = pop.cccd(i) if not pop.cmnd(i) or rng.random() < 0.8 else pop.cmnd(i)
        if rng.random() < 0.03:  # realistic slips: one wrong digit, or left empty
            number = "" if rng.random() < 0.3 else number[:-1] + str((int(number[-1]) + 1) % 10)
        commune = pop.communes[int(pop.commune[i])]
        province = reference().provinces['old'][pop.side.code]
        return pop.name(i), number, f"{strip_type(commune.name)}, {strip_type(province.name)}", pop.entity_id(i)

    def _shape(self, code: str, proc: Procedure, unit: ReceivingUnit, received: dt.datetime, due: dt.datetime,
               finished: dt.datetime | None, stage: str, applicant: tuple[str, str, str, str],
               history: list[Step]) -> dict[str, Any]:
        officer = OFFICERS[int(self.rng.random() * len(OFFICERS))]
        return dossier_record(self.vendor, officer, code, proc, unit, received, due, finished, stage, applicant,
                              history)

    def _emit(self, row: dict[str, Any], code: str, unit: ReceivingUnit, entity: str, national: int, open_: bool,
              overdue: bool, due: dt.datetime) -> str:
        defect = ""
        if self.rng.random() < self.info.defect_rate:
            defect = ("truncated", "impossible_date", "duplicate_key")[int(self.rng.random() * 3)]
        key = self.info.key
        if defect == "duplicate_key" and self._last_code:
            row[key] = code = self._last_code
        elif defect == "impossible_date":
            field = "NgayTiepNhan" if key == "MaHoSo" else "received_at"
            row[field] = impossible_date(row[field][:10], self.rng) + row[field][10:]
        self._last_code = code
        line = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
        if defect == "truncated":
            line = line[: max(10, int(len(line) * (0.3 + 0.5 * self.rng.random())))]
        self.info.rows += 1
        if defect:
            self.info.defects[defect] = self.info.defects.get(defect, 0) + 1
        self.truth.write([self.info.rows, code, entity, unit.unit_id, unit.admin_code, national, int(open_),
                          int(overdue), due.date().isoformat(), defect])
        return line + "\n"


def dossier_record(vendor: str, officer: str, code: str, proc: Procedure, unit: ReceivingUnit,
                   received: dt.datetime, due: dt.datetime, finished: dt.datetime | None, stage: str,
                   applicant: tuple[str, str, str, str], history: list[Step]) -> dict[str, Any]:
    """One dossier as ``vendor``'s system exports it (field names, date formats, local status words)."""
    vocab = VOCABULARIES[vendor]
    if vendor == "absorbed":
        return {"MaHoSo": code, "MaTTHC": proc[0], "TenTTHC": proc[1], "MaDonViTiepNhan": unit.unit_id,
                "TenDonViTiepNhan": unit.name, "NgayTiepNhan": _iso(received), "NgayHenTra": _iso(due),
                "NgayKetThuc": _iso(finished) if finished else None, "TrangThai": vocab[stage],
                "ChuHoSo": {"HoTen": applicant[0], "SoGiayTo": applicant[1], "DiaChi": applicant[2]},
                "QuaTrinhXuLy": [history_step(vendor, officer, step) for step in history]}
    return {"code": code, "procedure": {"code": proc[0], "name": proc[1]},
            "agency": {"id": unit.unit_id, "name": unit.name}, "received_at": _dmyhm(received),
            "appointment_at": _dmyhm(due), "completed_at": _dmyhm(finished) if finished else "",
            "status": vocab[stage], "applicant": {"fullname": applicant[0], "identity_no": applicant[1],
                                                  "address": applicant[2]},
            "history": [history_step(vendor, officer, step) for step in history]}


def history_step(vendor: str, officer: str, step: Step) -> dict[str, str]:
    """One step of a dossier's processing history in ``vendor``'s shape."""
    t, action, stage = step
    word = VOCABULARIES[vendor][stage]
    if vendor == "absorbed":
        return {"ThoiDiem": _iso(t), "CanBo": officer, "HanhDong": action, "TrangThai": word}
    return {"at": _dmyhm(t), "user": officer, "action": action, "status": word}


def _iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S+07:00")


def _dmyhm(t: dt.datetime) -> str:
    return t.strftime("%d/%m/%Y %H:%M")
