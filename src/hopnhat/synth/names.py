"""Vietnamese personal names with realistic frequencies.

A name is họ (family) + tên đệm (middle, sex-typical: Văn for men, Thị for women) + tên (given). Nguyễn is ~38 % of
the population. Frequencies are rounded published estimates; the long tail is flattened.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FAMILY: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38.4), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Huỳnh", 3.0), ("Hoàng", 2.2), ("Phan", 4.5),
    ("Võ", 3.0), ("Vũ", 1.0), ("Đặng", 2.1), ("Bùi", 2.0), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0),
    ("Lý", 0.5), ("Đinh", 0.8), ("Trương", 0.8), ("Lương", 0.5), ("Đoàn", 0.6), ("Mai", 0.5), ("Cao", 0.5),
    ("Lâm", 0.4), ("Châu", 0.3), ("Tô", 0.3), ("Thái", 0.3), ("Hà", 0.4), ("Lưu", 0.3), ("Kiều", 0.2), ("Tạ", 0.3),
    ("Phùng", 0.2), ("Tôn", 0.2), ("Quách", 0.1), ("Văn", 0.2), ("Nông", 0.1), ("Khúc", 0.1),
)
MIDDLE_MALE: tuple[tuple[str, float], ...] = (
    ("Văn", 34), ("Đức", 7), ("Minh", 7), ("Hữu", 6), ("Quang", 5), ("Thanh", 5), ("Công", 4), ("Đình", 4),
    ("Xuân", 3), ("Ngọc", 3), ("Anh", 3), ("Tấn", 4), ("Bá", 2), ("Trọng", 2), ("Duy", 2), ("Quốc", 3), ("Gia", 2),
    ("Thành", 2), ("Hoàng", 2),
)
MIDDLE_FEMALE: tuple[tuple[str, float], ...] = (
    ("Thị", 52), ("Ngọc", 6), ("Thanh", 5), ("Thu", 4), ("Hồng", 3), ("Kim", 4), ("Minh", 3), ("Phương", 3),
    ("Bảo", 2), ("Mỹ", 3), ("Khánh", 2), ("Ánh", 2), ("Hoài", 2), ("Diệu", 1), ("Quỳnh", 2), ("Thùy", 2),
)
GIVEN_MALE: tuple[str, ...] = (
    "Hùng", "Dũng", "Tuấn", "Minh", "Nam", "Long", "Hải", "Sơn", "Thắng", "Cường", "Hưng", "Phúc", "Quân", "Huy",
    "Đức", "Trung", "Thành", "Tùng", "Khoa", "Bảo", "Tài", "Lộc", "Tiến", "Việt", "Vinh", "Hoàng", "Toàn", "Hiếu",
    "Kiên", "Phong", "Hòa", "Thuận", "An", "Khánh", "Bình", "Tâm", "Nhân", "Nghĩa", "Trí", "Đạt", "Thủy", "Quý",
)
GIVEN_FEMALE: tuple[str, ...] = (
    "Lan", "Hương", "Hoa", "Mai", "Linh", "Trang", "Hà", "Thảo", "Ngọc", "Huyền", "Nhung", "Hằng", "Phương", "Thủy",
    "Yến", "Anh", "Dung", "Loan", "Nga", "Oanh", "Vân", "Hạnh", "Tuyết", "Nhi", "Vy", "My", "Hiền", "Hồng", "Liên",
    "Quyên", "Trinh", "Thu", "Xuân", "Thanh", "Diệp", "Nhàn", "Hòa", "Thúy", "Khuê", "Uyên",
)


def _zipf(n: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** 0.7
    return weights / weights.sum()


def _norm(pairs: tuple[tuple[str, float], ...]) -> tuple[tuple[str, ...], np.ndarray]:
    weights = np.array([w for _, w in pairs], dtype=float)
    return tuple(name for name, _ in pairs), weights / weights.sum()


@dataclass(frozen=True)
class NameTables:
    """Name lists as tuples, indexes as numpy arrays (vectorised sampling)."""

    family: tuple[str, ...]
    middle: tuple[str, ...]  # male list then female list
    given: tuple[str, ...]  # male list then female list
    n_middle_male: int
    n_given_male: int


TABLES = NameTables(
    family=_norm(FAMILY)[0],
    middle=_norm(MIDDLE_MALE)[0] + _norm(MIDDLE_FEMALE)[0],
    given=GIVEN_MALE + GIVEN_FEMALE,
    n_middle_male=len(MIDDLE_MALE),
    n_given_male=len(GIVEN_MALE),
)


def sample_names(rng: np.random.Generator, female: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indexes into :data:`TABLES` (family, middle, given) for people of the given sexes."""
    n = len(female)
    family = rng.choice(len(FAMILY), size=n, p=_norm(FAMILY)[1]).astype(np.int16)
    mid_m = rng.choice(len(MIDDLE_MALE), size=n, p=_norm(MIDDLE_MALE)[1])
    mid_f = rng.choice(len(MIDDLE_FEMALE), size=n, p=_norm(MIDDLE_FEMALE)[1]) + TABLES.n_middle_male
    giv_m = rng.choice(len(GIVEN_MALE), size=n, p=_zipf(len(GIVEN_MALE)))
    giv_f = rng.choice(len(GIVEN_FEMALE), size=n, p=_zipf(len(GIVEN_FEMALE))) + TABLES.n_given_male
    middle = np.where(female, mid_f, mid_m).astype(np.int16)
    given = np.where(female, giv_f, giv_m).astype(np.int16)
    return family, middle, given


def full_name(family: int, middle: int, given: int) -> str:
    """``Nguyễn Văn Hùng`` from table indexes."""
    return f"{TABLES.family[family]} {TABLES.middle[middle]} {TABLES.given[given]}"
