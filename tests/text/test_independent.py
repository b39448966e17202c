"""The codecs and the repair engine checked against encoders and tables this project did not write.

- every VISCII byte against glibc ``iconv``; the TCVN3, VNI and VISCII tables against viparse's (derived from real
  documents), listing every difference;
- round trips: text encoded by iconv / Python codecs / the VNI and VIQR tables of ``independent.py`` → the
  project's decoder or repair engine → the original text;
- clean text (Unicode NFC, plain ASCII names, words, codes, e-mails, URLs, numbers) never changes.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.text import independent as ind
from viparse.normalize.tcvn3 import TCVN3  # type: ignore[import-untyped]
from viparse.normalize.viscii import VISCII  # type: ignore[import-untyped]
from viparse.normalize.vni import VNI  # type: ignore[import-untyped]

from hopnhat.repair.columns import repair_column
from hopnhat.repair.stage import ColumnRepairer
from hopnhat.text import viscii
from hopnhat.text.cells import as_text
from hopnhat.text.legacy import LegacyEncodingError, decode, detect, vietnamese_letters

ICONV = shutil.which("iconv")


def test_iconv_is_there() -> None:
    assert ICONV, "glibc iconv is needed to build the independent corpus (package libc-bin)"


@pytest.mark.parametrize("byte", range(1, 256))
def test_viscii_byte_matches_glibc(byte: int) -> None:
    done = subprocess.run(["iconv", "-f", "VISCII", "-t", "UTF-8"], input=bytes([byte]), capture_output=True,
                          check=True)
    assert viscii.DECODE[byte] == done.stdout.decode("utf-8")


def _surface_bytes(surface: str) -> bytes:
    return b"".join(c.encode("cp1252") if c not in "\x81\x8d\x8f\x90\x9d" and ord(c) > 0x7f and c.encode(
        "cp1252", "ignore") else c.encode("latin-1") for c in surface)


# Every difference between viparse's tables and ours; empty since the VNI decoder reads iù/iø/… and yï/YÏ.
EXPECTED_DIFFERENCES: dict[str, list[tuple[str, str, str]]] = {"tcvn3": [], "vni": [], "viscii": []}


@pytest.mark.parametrize(("name", "charmap"), [("tcvn3", TCVN3), ("vni", VNI), ("viscii", VISCII)])
def test_tables_against_viparse(name: str, charmap: object) -> None:
    differences = []
    for surface, letter in charmap.pairs:  # type: ignore[attr-defined]
        try:
            ours = decode(_surface_bytes(surface), name)
        except LegacyEncodingError:
            ours = "(error)"
        if ours != unicodedata.normalize("NFC", letter):
            differences.append((surface, letter, ours))
    assert differences == EXPECTED_DIFFERENCES[name]
    assert len(charmap.pairs) > 70  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------------------ round trips

LETTERS = list(vietnamese_letters())
WORDS = st.text(st.sampled_from(LETTERS + list("abcdeghiklmnopqrstuvxy")), min_size=1, max_size=8)
TEXTS = st.lists(WORDS, min_size=1, max_size=5).map(" ".join)
CODECS = {"utf-8-nfd": "utf-8", "cp1258-decomposed": "cp1258"}


@settings(max_examples=60, deadline=None)
@given(TEXTS, st.sampled_from(ind.ENCODINGS))
def test_independent_bytes_decode_to_the_text(text: str, encoding: str) -> None:
    raw = ind.encode_many([text], encoding)[0]
    assert decode(raw, CODECS.get(encoding, encoding)) == unicodedata.normalize("NFC", text)


def _names() -> list[str]:
    return ind.texts().vietnamese[:300]


NAMES = _names()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(NAMES), min_size=15, max_size=40),
       st.sampled_from([e for e in ind.ENCODINGS if e != "utf-8"]))
def test_engine_repairs_independent_columns(texts: list[str], encoding: str) -> None:
    raws = ind.encode_many(texts, encoding)
    fixed, _ = ColumnRepairer("c").repair([as_text(r) for r in raws])
    wrong = [(t, f) for t, f in zip(texts, fixed, strict=True) if f != unicodedata.normalize("NFC", t)]
    assert len(wrong) <= len(texts) // 20, wrong  # a name that reads right in two encodings may go either way


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(NAMES), st.sampled_from(ind.texts().ascii)), min_size=1, max_size=40))
def test_clean_text_is_never_changed(texts: list[str]) -> None:
    cells = [unicodedata.normalize("NFC", t) for t in texts]
    fixed, changes = ColumnRepairer("c").repair(list(cells))
    assert fixed == cells
    assert all(c.problem is None for c in changes) and not changes


def test_every_vni_letter_in_both_cases_round_trips_through_the_engine() -> None:
    cells = [f"{n} {letter}" for n, letter in zip(NAMES * 3, LETTERS)]
    fixed, _ = ColumnRepairer("c").repair([as_text(ind.vni_encode(c)) for c in cells])
    assert fixed == cells


@pytest.mark.parametrize("encoding", ["tcvn3", "viscii", "cp1258", "mojibake", "viqr"])
def test_every_letter_round_trips_through_the_engine(encoding: str) -> None:
    cells = [f"{n} {letter}" for n, letter in zip(NAMES * 3, LETTERS)]
    fixed, _ = ColumnRepairer("c").repair([as_text(r) for r in ind.encode_many(cells, encoding)])
    assert [(c, f) for c, f in zip(cells, fixed, strict=True) if c != f] == []


# ------------------------------------------------------------------------------------------------ the corpus

@pytest.fixture(scope="module")
def corpus() -> dict[str, list[ind.Cell]]:
    return ind.build(400, seed=11)


def test_corpus_scores_and_one_engine(corpus: dict[str, list[ind.Cell]]) -> None:
    """Per scenario: ≥ 98 % right on 400 rows, no clean cell changed; repair_column (hopnhat repair) and
    ColumnRepairer on the ingest stage's text (hopnhat migrate) give the same cells."""
    for name, cells in corpus.items():
        via_file, report = repair_column(name, [c.raw for c in cells], list(range(2, len(cells) + 2)))
        via_stage, _ = ColumnRepairer(name).repair([as_text(c.raw) for c in cells])
        assert via_file == via_stage, name
        right = sum(out == c.truth for out, c in zip(via_file, cells, strict=True))
        assert right >= 0.98 * len(cells), (name, right)
        assert all(out == c.truth for out, c in zip(via_file, cells, strict=True) if c.clean), name
        assert report.cells == len(cells)


def test_plain_ascii_column_is_not_viqr() -> None:
    assert detect(ind.texts().ascii).encoding == "ascii"
