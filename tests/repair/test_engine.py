"""The one repair engine (``ColumnRepairer``): golden cases for mixed columns, VISCII, VIQR, clean text and strictness.

Legacy bytes here come from encoders this project did not write (``tests/text/independent.py``: glibc iconv, Python
codecs, VNI/VIQR tables from public descriptions).
"""

from __future__ import annotations

import unicodedata

from tests.text import independent as ind

from hopnhat.repair.columns import repair_column, repair_table
from hopnhat.repair.stage import ColumnRepairer
from hopnhat.text.cells import as_text

NAMES = ["Nguyễn Thị Hoà", "Trần Văn Đức", "Lê Thị Thu Hương", "Phạm Minh Tuấn", "Hoàng Văn Thụ", "Võ Thị Sáu",
         "Đặng Quốc Bảo", "Bùi Thị Xuân", "Đỗ Mười", "Hồ Xuân Hương", "Xã Hòa Tiến", "Phường Hải Châu I",
         "Thị trấn Ái Nghĩa", "Huyện Đại Lộc", "Tỉnh Quảng Nam", "Xã Ea Tiêu", "Ủy ban nhân dân xã Hòa Tiến"]


def _cells(texts: list[str], encoding: str) -> list[str | None]:
    return [as_text(raw) for raw in ind.encode_many(texts, encoding)]


def _repair(cells: list[str | None], encoding: str | None = None, strict: bool = False) -> list[str | None]:
    return ColumnRepairer("c", encoding, strict=strict).repair(cells)[0]


def test_vni_cells_in_a_tcvn3_column() -> None:
    cells = _cells(NAMES, "tcvn3") + _cells(NAMES[:6], "vni")
    assert _repair(cells) == NAMES + NAMES[:6]


def test_tcvn3_cells_in_a_vni_column_and_unicode_among_them() -> None:
    cells = _cells(NAMES, "vni") + _cells(NAMES[:5], "tcvn3") + NAMES[5:9]
    assert _repair(cells) == NAMES + NAMES[:5] + NAMES[5:9]


def test_a_column_of_every_encoding() -> None:
    texts = NAMES * 2
    encodings = [e for e in ind.ENCODINGS if e != "viqr"]
    cells = [_cells([t], encodings[i % len(encodings)])[0] for i, t in enumerate(texts)]
    assert _repair(cells) == texts


def test_viscii_bytes_that_read_as_utf8() -> None:
    raw = ind.iconv_many(["Phường Ba Đồn"], "viscii")[0]
    assert raw.decode("utf-8") == "Ph߶ng Ba \u0430n"[:3] + raw.decode("utf-8")[3:]  # valid UTF-8 by chance
    cells = _cells(NAMES, "viscii") + [as_text(raw)]
    assert _repair(cells)[-1] == "Phường Ba Đồn"
    fixed, _ = repair_column("c", [*ind.iconv_many(NAMES, "viscii"), raw], list(range(len(NAMES) + 1)))
    assert fixed[-1] == "Phường Ba Đồn"


def test_viqr_cells_among_tcvn3_and_plain_ascii_untouched() -> None:
    plain = ind.texts().ascii
    cells = _cells(NAMES, "tcvn3") + _cells(NAMES[:5], "viqr") + list(plain)
    assert _repair(cells) == NAMES + NAMES[:5] + list(plain)


def test_plain_ascii_never_changes_even_in_a_viqr_column() -> None:
    plain = (ind.texts().ascii + ind.lines("heldout_ascii.txt") + ind.lines("heldout2_ascii.txt")
             + ind.lines("heldout3_ascii.txt") + ind.lines("heldout4_ascii.txt")
             + ind.lines("heldout5_ascii.txt") + ind.lines("heldout6_ascii.txt")
             + ind.lines("heldout7_ascii.txt") + ind.lines("heldout8_ascii.txt"))
    for declared in (None, "viqr"):
        fixed = _repair(_cells(NAMES, "viqr") + list(plain), declared)
        assert fixed[: len(NAMES)] == NAMES
        assert fixed[len(NAMES):] == list(plain)


def test_clean_unicode_and_foreign_names_are_never_changed() -> None:
    clean = ["Zürich", "José Martí", "Müller", "北京", "Москва", "Ñandú", "Crème brûlée", "São Paulo"]
    for encoding in ("tcvn3", "vni", "viscii", "cp1258-decomposed"):
        cells = _cells(NAMES, encoding) + clean
        assert _repair(cells)[len(NAMES):] == clean


def test_nfd_is_composed() -> None:
    cells = [unicodedata.normalize("NFD", n) for n in NAMES]
    assert _repair(list(cells)) == NAMES


def test_unreadable_cell_is_kept_and_reported() -> None:
    cells = _cells(NAMES, "tcvn3") + ["b\u00f9\u00a7\u00b6"]
    engine = ColumnRepairer("c")
    fixed, changes = engine.repair(cells)
    assert fixed[-1] == "b\u00f9\u00a7\u00b6"
    problem = [c for c in changes if c.problem]
    assert len(problem) == 1 and problem[0].index == len(NAMES) and problem[0].original == "b\u00f9\u00a7\u00b6"


def test_originals_are_kept() -> None:
    cells = _cells(NAMES, "vni")
    _, changes = ColumnRepairer("c").repair(cells)
    assert [(c.original, c.repaired, c.kind) for c in changes] == [(o, n, "vni") for o, n in zip(cells, NAMES)]


def test_strictness_is_the_sources() -> None:
    odd = "Xã Zuôih"  # a minority name no syllable rule reads, in a cell of another encoding
    cells = _cells(NAMES, "tcvn3") + _cells([odd], "vni")
    lenient, _ = ColumnRepairer("c").repair(cells)
    strict, changes = ColumnRepairer("c", strict=True).repair(cells)
    assert lenient[-1] == odd
    problem = changes[-1].problem or ""
    assert strict[-1] == cells[-1] and ("strict" in problem or "nghiêm ngặt" in problem)


def test_declared_encoding_wins_over_detection() -> None:
    latin_only = ["Hoà Bình", "Tây Ninh", "Bà Rịa"]  # valid as Unicode and as VNI bytes
    assert _repair(list(latin_only)) == latin_only
    assert _repair(list(latin_only), "vni")[0] == "Hồ Bình"


def test_batches_give_the_cells_of_one_pass() -> None:
    columns = ind.build(1200, seed=3)
    for name, cells in columns.items():
        texts = [as_text(c.raw) for c in cells]
        whole = ColumnRepairer(name).repair(texts)[0]
        engine = ColumnRepairer(name)
        batched = [v for i in range(0, len(texts), 400) for v in engine.repair(texts[i:i + 400])[0]]
        assert batched == whole, name


def test_repair_table_takes_the_sources_settings() -> None:
    rows: list[list[object]] = [["ten"], [b"Ho\xe0 B\xecnh"], [b"T\xe2y Ninh"]]  # Latin-1 letters only
    repair_table(rows, encodings={"ten": "VNI-Windows"})
    assert rows[1] == ["Hồ Bình"]
    table: list[list[object]] = [["id", "ten"]]
    table += [[str(i), raw] for i, raw in enumerate(ind.encode_many(NAMES, "tcvn3"))]
    table.append(["x", ind.vni_encode("Xã Zuôih")])
    reports = repair_table(table, strict=True)
    assert table[-1][1] == as_text(ind.vni_encode("Xã Zuôih")) and len(reports[-1].problems) == 1


def test_viscii_cells_that_read_as_tcvn3_go_by_the_columns_own_syllables() -> None:
    """VISCII bytes of these names read as flawless TCVN3 too (``Tạ Quang Bửu`` / ``Tế Quang Bỉu``, ``Thạch Lam`` /
    ``Thếch Lam``): in a column that mixes both tables the reading whose syllables the column's other cells use wins.
    """
    ambiguous = ["Tạ Quang Bửu", "Thạch Lam", "Con thứ hai", "Xã Ô Long Vĩ", "Từ Dũ", "Trưng Nhị", "Thế Lữ"]
    register = ["Tạ Thị Mai", "Lê Văn Bửu", "Huyện Thạch Thất", "Thứ trưởng", "Hồ Vĩ", "Xã Từ Sơn", "Lê Thị Dũ",
                "Hai Bà Trưng", "Nguyễn Văn Nhị", "Phạm Thế Anh", "Lữ Gia", "Nguyễn Hữu Hai"]
    cells = _cells(NAMES + register, "tcvn3") + _cells(NAMES[:6], "viscii") + _cells(ambiguous, "viscii")
    assert _repair(cells) == NAMES + register + NAMES[:6] + ambiguous
    alone = _cells(NAMES, "tcvn3") + _cells(NAMES[:6], "viscii") + _cells(ambiguous, "viscii")
    # without the column's evidence the least marked reading wins (session 25: fewer tone marks, ``Tế Quang Bỉu``
    # has one more than ``Tạ Quang Bửu``), where the column's table stayed before
    assert _repair(alone)[-len(ambiguous):] == ambiguous
