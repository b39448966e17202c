"""Name tables of the independent population, written for this bench from public descriptions of Vietnamese names.

Family-name shares follow the figures commonly cited for Vietnam (Nguyễn ≈ 38 %, Trần ≈ 11 %, Lê ≈ 9.5 %, Phạm ≈ 7 %,
Hoàng/Huỳnh ≈ 5 %, Phan ≈ 4.5 %, Vũ/Võ ≈ 4 %, Đặng ≈ 2 %, Bùi ≈ 2 %, Đỗ ≈ 1.4 %, Hồ ≈ 1.3 %, Ngô ≈ 1.3 %, Dương ≈ 1 %,
Lý ≈ 0.5 %), with the central-coast spellings (Huỳnh, Võ) more frequent than the northern ones (Hoàng, Vũ).
Middle names: "Văn" for men and "Thị" for women dominate older generations; younger ones use "Minh", "Ngọc", "Gia" …
Given names: the common names of both sexes, weighted by a Zipf law (a handful of names carry much of the
population, which is what makes namesakes). Nothing here is shared with ``hopnhat.synth``.
"""

from __future__ import annotations

FAMILY: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38.0), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Huỳnh", 3.6), ("Hoàng", 1.5), ("Phan", 4.5),
    ("Võ", 2.9), ("Vũ", 1.0), ("Đặng", 2.1), ("Bùi", 2.0), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0),
    ("Lý", 0.5), ("Đinh", 0.5), ("Trương", 0.6), ("Lương", 0.3), ("Đoàn", 0.4), ("Mai", 0.3), ("Cao", 0.3),
    ("Lâm", 0.2), ("Châu", 0.2), ("Thái", 0.2), ("Hà", 0.2), ("Tôn Nữ", 0.05), ("Tôn Thất", 0.05), ("Âu Dương", 0.02),
    ("Đào", 0.3), ("Lưu", 0.2), ("Tạ", 0.1), ("Kiều", 0.1), ("Phùng", 0.1), ("Quách", 0.1), ("Trịnh", 0.3),
    ("La", 0.05), ("Tăng", 0.05), ("Văn", 0.05), ("Nông", 0.02),
)
MIDDLE_M_OLD = ("Văn", "Văn", "Văn", "Văn", "Hữu", "Đức", "Công", "Quang", "Minh", "Ngọc", "Xuân", "Tấn", "Bá", "Thanh")
MIDDLE_M_NEW = ("Minh", "Văn", "Gia", "Quốc", "Anh", "Đức", "Hoàng", "Tuấn", "Thành", "Nhật", "Bảo", "Đăng", "Hữu")
MIDDLE_F_OLD = ("Thị", "Thị", "Thị", "Thị", "Thị", "Ngọc", "Kim", "Thu", "Thanh", "Hồng", "Xuân", "Mỹ")
MIDDLE_F_NEW = ("Thị", "Ngọc", "Bảo", "Khánh", "Phương", "Thảo", "Minh", "Gia", "Thanh", "Mỹ", "Hoài", "Quỳnh")
GIVEN_M = tuple("""Hùng Dũng Minh Tuấn Hải Nam Long Hưng Sơn Phúc Tài Bình Cường Hoàng Khoa Đạt Thắng Trung Vinh Quân
Huy Thành Tâm Lộc Phong Kiên Hiếu Nghĩa Toàn Hiệp Đông Quang Tú Việt Khánh Thịnh Tùng Tiến An Duy Hòa Thanh Lâm Nhân
Phát
Sang Tín Trí Đức Lợi Bảo Hậu Tân Thiện Tường Vũ Khải Hào Kha Luân Nhật Quý Thuận Tịnh Tư Vương Xuân Hoan Hiển Định
Thông Chiến Dương Lực Mạnh Nguyên Pháp Quyết Sỹ Thạch Trọng Uy Văn""".split())
GIVEN_F = tuple("""Lan Hương Hoa Mai Linh Trang Thảo Hà Ngọc Nhung Hằng Phương Thủy Yến Vy Anh Nga Dung Hạnh Hiền Loan
Oanh Trinh Uyên Xuân Thu Nhi Quyên Diệp Giang My Huyền Thúy Vân Châu Liên Hồng Ly Tuyết Hòa Nhàn Tâm Hiếu Sương Thơ
Hậu Lệ Kiều Ngân Nguyệt Phượng Quế Sen Thắm Thoa Thương Tiên Trâm Trúc Vui Xinh Yên Bích Cúc Đào Gấm Hảo Khuê
Lài Mến Nụ Phấn Quyên Thư Tú Vàng""".split())


def zipf(items: tuple[str, ...], exponent: float = 0.9) -> tuple[tuple[str, float], ...]:
    """Weights falling with rank: the first names of each list are the commonest."""
    return tuple((name, 1.0 / (rank + 1) ** exponent) for rank, name in enumerate(items))


# --- the public pool (``--name-pool public``) ------------------------------------------------------------------------
# Counts of name parts from the MIT-licensed Vietnamese Name DB (see SOURCE.md beside this file), derived by
# ``public_names_derive.py``. Family-name weights: the published shares above where the name has one, else the
# name's share of the sample. Middle names: the sample's, by sex, with the bare "Văn" (men) and "Thị" (women)
# weighted up for older generations (the sample is of students born around 1995; this generation
# factor is a modelling assumption, not a measured figure). Every given or middle name gets a floor weight so that
# the source's listed names unseen in the sample still occur, rarely.
PUBLIC_FLOOR = 0.2
# (born before, factor for a man's bare Văn, for a woman's bare Thị): about 50 % / 70 % of those born before 1960
GENERATIONS = ((1960, 7.5, 15.0), (1980, 5.0, 8.0), (1995, 2.0, 3.0), (10_000, 1.0, 1.0))


def _tsv(name: str) -> list[list[str]]:
    from pathlib import Path

    text = (Path(__file__).resolve().parent / f"public_{name}.tsv").read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line]


def public_family() -> tuple[tuple[str, float], ...]:
    rows = _tsv("family")
    total = sum(float(r[-1]) for r in rows)
    published = dict(FAMILY)
    return tuple((r[0], published.get(r[0], 100.0 * float(r[-1]) / total)) for r in rows)


def public_given(sex: str) -> tuple[tuple[str, float], ...]:
    return tuple((r[1], float(r[2]) + PUBLIC_FLOOR) for r in _tsv("given") if r[0] == sex)


def public_middle(sex: str, born_year: int) -> tuple[tuple[str, float], ...]:
    """Middle names of one sex for people born in ``born_year`` ("" = none)."""
    factor = next(m if sex == "M" else f for before, m, f in GENERATIONS if born_year < before)
    marker = "Văn" if sex == "M" else "Thị"
    return tuple((r[1], (float(r[2]) + PUBLIC_FLOOR) * (factor if r[1] == marker else 1.0))
                 for r in _tsv("middle") if r[0] == sex)
