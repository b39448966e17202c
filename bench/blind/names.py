"""Name tables of the blind population (sources: bench/blind/SOURCE.md).

Family names: the published shares of the most common Vietnamese surnames (Nguyễn 38.4 %, Trần 11 %, Lê 9.5 %,
Phạm 7.1 %, Hoàng/Huỳnh 5.1 %, Phan 4.5 %, Vũ/Võ 3.9 %, Đặng 2.1 %, Bùi 2 %, Đỗ 1.4 %, Hồ 1.3 %, Ngô 1.3 %,
Dương 1 %, Lý 0.5 %), as quoted on public pages from the English Wikipedia's "Vietnamese name" article; the
northern spellings (Hoàng, Vũ) because both old provinces are in the Red River delta. The remaining 10.2 % spread
over other northern surnames with weights of our own.

Given names: counts of the first names in toanluu/vietname ``first_names.tsv`` (115,000 full names collected from the
web; counts only, no text copied), the 130 most frequent Kinh names, diacritics restored and sex assigned by us;
a name whose unaccented form is several names (dung → Dung / Dũng) is split by our estimate (the ``share`` column).
Middle names: our own estimate by sex and birth cohort (Văn / Thị dominate before 1980; the unigram counts of the
same source show Thị far above every other female middle name among younger people).
"""

from __future__ import annotations

FAMILY: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38.4), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.1), ("Hoàng", 5.1), ("Phan", 4.5), ("Vũ", 3.9),
    ("Đặng", 2.1), ("Bùi", 2.0), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5),
    # the other 10.2 %: our weights
    ("Đinh", 1.2), ("Đào", 1.1), ("Trịnh", 0.9), ("Lương", 0.6), ("Đoàn", 0.8), ("Trương", 0.6), ("Hà", 0.6),
    ("Mai", 0.5), ("Tạ", 0.4), ("Lưu", 0.4), ("Phùng", 0.4), ("Cao", 0.5), ("Lại", 0.3), ("Quách", 0.2),
    ("Vương", 0.3), ("Khúc", 0.2), ("Nghiêm", 0.2), ("Đồng", 0.2),
)

# (name, count in first_names.tsv of its unaccented form, share of that count, sex "M"/"F")
GIVEN: tuple[tuple[str, int, float, str], ...] = (
    ("Anh", 3945, 0.4, "M"), ("Anh", 3945, 0.6, "F"), ("Linh", 2541, 0.15, "M"), ("Linh", 2541, 0.85, "F"),
    ("Phương", 2050, 1.0, "F"), ("Thanh", 1884, 0.5, "M"), ("Thanh", 1884, 0.5, "F"), ("Nhi", 1431, 1.0, "F"),
    ("Trang", 1422, 1.0, "F"), ("Hùng", 1399, 1.0, "M"), ("Dũng", 1372, 0.5, "M"), ("Dung", 1372, 0.5, "F"),
    ("Minh", 1351, 0.8, "M"), ("Minh", 1351, 0.2, "F"), ("Thủy", 1348, 0.6, "F"), ("Thúy", 1348, 0.4, "F"),
    ("Huy", 1306, 1.0, "M"), ("Ngọc", 1224, 1.0, "F"), ("Vy", 1217, 1.0, "F"), ("Tiến", 1209, 0.5, "M"),
    ("Tiên", 1209, 0.5, "F"), ("Thảo", 1203, 1.0, "F"), ("Thu", 1175, 1.0, "F"), ("An", 1174, 0.5, "M"),
    ("An", 1174, 0.5, "F"), ("Hà", 1123, 1.0, "F"), ("Hương", 1105, 1.0, "F"), ("Nguyên", 1059, 0.6, "M"),
    ("Nguyên", 1059, 0.4, "F"), ("Hoa", 1040, 0.7, "F"), ("Hòa", 1040, 0.3, "M"), ("Ngân", 1032, 1.0, "F"),
    ("Hiếu", 1023, 1.0, "M"), ("Duy", 1005, 1.0, "M"), ("Vân", 1004, 1.0, "F"), ("Khánh", 1002, 0.5, "M"),
    ("Khánh", 1002, 0.5, "F"), ("My", 983, 1.0, "F"), ("Tuấn", 981, 1.0, "M"), ("Hiền", 965, 1.0, "F"),
    ("Nam", 942, 1.0, "M"), ("Đức", 939, 1.0, "M"), ("Uyên", 918, 1.0, "F"), ("Tú", 902, 0.5, "M"),
    ("Tú", 902, 0.5, "F"), ("Sơn", 894, 1.0, "M"), ("Hoàng", 876, 1.0, "M"), ("Quỳnh", 863, 1.0, "F"),
    ("Đạt", 853, 1.0, "M"), ("Long", 838, 1.0, "M"), ("Dương", 837, 0.5, "M"), ("Dương", 837, 0.5, "F"),
    ("Giang", 836, 1.0, "F"), ("Phúc", 812, 1.0, "M"), ("Cường", 811, 1.0, "M"), ("Hải", 804, 1.0, "M"),
    ("Như", 803, 1.0, "F"), ("Trinh", 785, 1.0, "F"), ("Tâm", 756, 0.5, "M"), ("Tâm", 756, 0.5, "F"),
    ("Huyền", 737, 1.0, "F"), ("Nhân", 733, 1.0, "M"), ("Thắng", 715, 1.0, "M"), ("Trung", 713, 1.0, "M"),
    ("Quyên", 710, 1.0, "F"), ("Yến", 707, 1.0, "F"), ("Lâm", 704, 1.0, "M"), ("Quang", 702, 1.0, "M"),
    ("Tuyến", 694, 0.5, "M"), ("Tuyền", 694, 0.5, "F"), ("Bình", 692, 1.0, "M"), ("Mai", 688, 1.0, "F"),
    ("Chi", 686, 1.0, "F"), ("Trâm", 684, 1.0, "F"), ("Phong", 675, 1.0, "M"), ("Hào", 672, 1.0, "M"),
    ("Quân", 663, 1.0, "M"), ("Vinh", 659, 1.0, "M"), ("Hằng", 656, 1.0, "F"), ("Ly", 653, 1.0, "F"),
    ("Bảo", 643, 1.0, "M"), ("Toàn", 635, 1.0, "M"), ("Vũ", 605, 1.0, "M"), ("Trường", 603, 1.0, "M"),
    ("Duyên", 601, 1.0, "F"), ("Thiện", 598, 1.0, "M"), ("Nga", 592, 1.0, "F"), ("Hạnh", 577, 1.0, "F"),
    ("Châu", 571, 1.0, "F"), ("Khoa", 559, 1.0, "M"), ("Hân", 549, 1.0, "F"), ("Nghĩa", 549, 1.0, "M"),
    ("Trúc", 547, 1.0, "F"), ("Tùng", 539, 1.0, "M"), ("Lan", 538, 1.0, "F"), ("Sang", 532, 1.0, "M"),
    ("Tài", 529, 1.0, "M"), ("Thịnh", 520, 1.0, "M"), ("Thuận", 516, 1.0, "M"), ("Nhung", 513, 1.0, "F"),
    ("Khang", 503, 1.0, "M"), ("Tân", 499, 1.0, "M"), ("Thương", 493, 1.0, "F"), ("Hồng", 480, 1.0, "F"),
    ("Lộc", 469, 1.0, "M"), ("Phát", 446, 1.0, "M"), ("Loan", 442, 1.0, "F"), ("Phú", 422, 1.0, "M"),
    ("Hậu", 417, 1.0, "M"), ("Oanh", 412, 1.0, "F"), ("Việt", 409, 1.0, "M"), ("Thái", 408, 1.0, "M"),
    ("Hiệp", 387, 1.0, "M"), ("Huệ", 378, 1.0, "F"), ("Kiên", 341, 1.0, "M"), ("Thông", 336, 1.0, "M"),
    ("Xuân", 327, 1.0, "F"), ("Liên", 302, 1.0, "F"), ("Định", 299, 1.0, "M"), ("Thơ", 296, 1.0, "F"),
    ("Đông", 293, 1.0, "M"), ("Mạnh", 287, 1.0, "M"), ("Luân", 285, 1.0, "M"), ("Chính", 284, 1.0, "M"),
    ("Chiến", 274, 1.0, "M"), ("Nguyệt", 267, 1.0, "F"), ("Lương", 260, 1.0, "M"), ("Tuyết", 257, 1.0, "F"),
    ("Công", 250, 1.0, "M"), ("Hoàn", 242, 1.0, "M"), ("Diễm", 240, 1.0, "F"), ("Quốc", 230, 1.0, "M"),
    ("Tường", 225, 1.0, "M"), ("Trọng", 223, 1.0, "M"), ("Hoài", 210, 1.0, "F"), ("Kim", 192, 1.0, "F"),
    ("Ninh", 189, 1.0, "M"), ("Kiều", 183, 1.0, "F"), ("Thức", 151, 1.0, "M"), ("Bích", 132, 1.0, "F"),
    ("Thoa", 122, 1.0, "F"), ("Cúc", 122, 1.0, "F"),
)

# middle names: (name, weight) by sex, for births before 1980 and from 1980 (our estimate)
MIDDLE: dict[tuple[str, bool], tuple[tuple[str, float], ...]] = {
    ("M", False): (("Văn", 55), ("Đình", 7), ("Đức", 8), ("Hữu", 6), ("Xuân", 5), ("Quang", 5), ("Minh", 5),
                   ("Ngọc", 3), ("Công", 3), ("Thanh", 3)),
    ("M", True): (("Văn", 25), ("Đức", 10), ("Minh", 12), ("Quang", 8), ("Đình", 5), ("Hữu", 5), ("Duy", 6),
                  ("Tiến", 4), ("Mạnh", 4), ("Hoàng", 6), ("Gia", 5), ("Xuân", 3), ("Ngọc", 4), ("Thanh", 3)),
    ("F", False): (("Thị", 80), ("Ngọc", 4), ("Thu", 4), ("Thanh", 4), ("Hồng", 3), ("Kim", 3), ("Minh", 2)),
    ("F", True): (("Thị", 45), ("Ngọc", 8), ("Thu", 6), ("Phương", 6), ("Thanh", 5), ("Hồng", 4), ("Minh", 5),
                  ("Thùy", 5), ("Khánh", 4), ("Bảo", 4), ("Mai", 4), ("Hà", 4)),
}


def given_table(sex: str) -> tuple[list[str], list[float]]:
    """Given names of one sex and their weights (count × share)."""
    rows = [(n, c * s) for n, c, s, x in GIVEN if x == sex]
    return [n for n, _ in rows], [w for _, w in rows]
