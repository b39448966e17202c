"""Properties of conversion: any supported rendering of a known old commune gives the same answer."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hopnhat.text.normalize import accent_key, fold, name_key
from hopnhat.units.column import convert_column
from hopnhat.units.convert import convert_address
from hopnhat.units.reference import Unit, reference, strip_type
from hopnhat.units.tokens import ABBREVIATIONS

USERS_PROVINCES = ("48", "49", "51", "62", "30", "31")
ABBR = {"Thành phố": "TP.", "Quận": "Q.", "Phường": "P.", "Huyện": "H.", "Thị xã": "TX.", "Thị trấn": "TT.",
        "Xã": "X.", "Tỉnh": "T."}


def _communes():
    ref = reference()
    return sorted((c for c in ref.communes["old"].values() if c.province_code in USERS_PROVINCES),
                  key=lambda c: c.code)


COMMUNES = _communes()


def _typed(unit, abbreviate: bool) -> str:
    if not abbreviate:
        return unit.name
    return f"{ABBR.get(unit.type, '')} {strip_type(unit.name)}".strip()


def render(commune, street: str, abbreviate: bool, no_marks: bool, upper: bool, sep: str) -> str:
    ref = reference()
    parts = [street, _typed(commune, abbreviate), _typed(ref.districts[commune.district_code], abbreviate),
             ref.provinces["old"][commune.province_code].name]
    text = sep.join(p for p in parts if p)
    text = fold(text) if no_marks else text
    return text.upper() if upper else text


def _fold_twins(commune: Unit) -> list[Unit]:
    """Other communes of the same district whose name folds to the same letters."""
    key = name_key(commune.name)
    return [c for c in reference().communes_in("old", commune.province_code, commune.district_code)
            if c.code != commune.code and name_key(c.name) == key]


def expected(commune) -> set[str]:
    return {link.new_code for link in reference().links[commune.code]}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    index=st.integers(0, len(COMMUNES) - 1),
    street=st.sampled_from(["", "Số 12 Lê Lợi", "Thôn 3", "Tổ 5 khu phố 2", "12/4 kiệt 8 Trần Phú", "Ấp Phú Hòa"]),
    abbreviate=st.booleans(), no_marks=st.booleans(), upper=st.booleans(), sep=st.sampled_from([", ", ",", " , "]),
)
def test_every_rendering_gives_the_same_answer(index, street, abbreviate, no_marks, upper, sep):
    commune = COMMUNES[index]
    text = render(commune, street, abbreviate, no_marks, upper, sep)
    result = convert_address(text)
    truth = expected(commune)
    twins = _fold_twins(commune) if no_marks else []
    if twins:  # Bình Thanh / Bình Thạnh in one district: without diacritics nobody can tell
        assert result.status == "ambiguous", (text, result)
        assert truth | set().union(*(expected(t) for t in twins)) == set(result.candidates)
        return
    if len(truth) == 1:
        assert result.status == "converted", (text, result)
        assert {result.new_commune_code} == truth
    else:
        assert result.status == "split", (text, result)
        assert set(result.candidates) == truth
        assert result.new_commune_code is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_never_raises_and_certain_answers_are_real(text):
    result = convert_address(text)
    assert result.status in ("converted", "already_new", "split", "ambiguous", "not_found", "invalid")
    if result.certain:
        assert result.new_commune_code in reference().communes["new"]
        assert result.candidates == ()
    else:
        assert result.new_commune_code is None


@pytest.mark.parametrize("value", [None, "", "   ", "???", "12345", "x" * 10_000, "\x00\x01\x02\x03abc", 42, 3.5,
                                   "Ã„Ã´ng Nam BÃ¡Â»â„¢", b"\xff\xfe".decode("latin-1") * 50])
def test_bad_input_is_a_status_not_an_exception(value):
    result = convert_address(value)
    assert result.status in ("invalid", "not_found")
    assert result.reason


def test_bulk_equals_one_by_one():
    rng = random.Random(3)
    values: list[str | None] = [render(rng.choice(COMMUNES), rng.choice(["", "Số 1 Lê Lợi", "Thôn 2"]),
                                       rng.random() < 0.5, rng.random() < 0.3, rng.random() < 0.2, ", ")
                                for _ in range(3000)]
    values += [None, "", "Hải Châu", "Xã Hòa Bình, Hải Phòng", "Phường Hải Châu, Đà Nẵng"]
    table = convert_column(values)
    for value, status, code, candidates in zip(values, table.column("status").to_pylist(),
                                               table.column("new_commune_code").to_pylist(),
                                               table.column("candidates").to_pylist()):
        one = convert_address(value)
        assert (status, code, candidates) == (one.status, one.new_commune_code, ";".join(one.candidates)), value


@pytest.mark.parametrize("street", ["", "Thôn 3"])
def test_every_commune_of_the_three_pairs_in_eight_styles(street):
    """Exhaustive over the 926 old communes of Quảng Nam, Đà Nẵng, Kon Tum, Quảng Ngãi, Hải Dương, Hải Phòng."""
    failures = []
    for commune in COMMUNES:
        truth = expected(commune)
        for abbreviate in (False, True):
            for no_marks in (False, True):
                for upper in (False, True):
                    text = render(commune, street, abbreviate, no_marks, upper, ", ")
                    result = convert_address(text)
                    twins = _fold_twins(commune) if no_marks else []
                    if twins:
                        ok = result.status == "ambiguous"
                    elif len(truth) == 1:
                        ok = result.status == "converted" and {result.new_commune_code} == truth
                    else:
                        ok = result.status == "split" and set(result.candidates) == truth
                    if not ok:
                        failures.append((text, result.status, result.new_commune_code, result.candidates))
    assert not failures, failures[:10]


# --- typos --------------------------------------------------------------------------------------------------------

def _slip(name: str, kind: int, at: int, letter: str) -> str:
    """One slip in ``name`` at letter position ``at``: drop, double, swap with the next, or replace by ``letter``."""
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    i = letters[at % len(letters)]
    if kind == 0:
        return name[:i] + name[i + 1 :]
    if kind == 1:
        return name[:i] + name[i] + name[i:]
    if kind == 2 and i + 1 < len(name):
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name[:i] + letter + name[i + 1 :]


def _slips(unit, written: str) -> float:
    """Slips from ``written`` to the unit's name (letters as written), or to a former name (folded, + ½)."""
    from rapidfuzz.distance import DamerauLevenshtein

    from hopnhat.units.fuzzy import marked, marked_distance

    former = [DamerauLevenshtein.distance(name_key(written), key) + 0.5 for key in unit.alias_keys]
    return min([marked_distance(marked(written), marked(unit.short_name)), *former])


def _district_slips(commune, written: str) -> dict[str, float]:
    return {u.code: _slips(u, written) for u in reference().communes_in("old", commune.province_code,
                                                                        commune.district_code)}


def _former_name_elsewhere(written: str, commune: Unit) -> bool:
    """The written name is exactly the name or a former name (history.csv) of a commune of another district of the
    province."""
    key, folded = accent_key(written), name_key(written)

    def names(u: Unit) -> bool:  # as written: the diacritics count where the unit's spelling is known
        if folded != name_key(u.short_name) and folded not in u.alias_keys:
            return False
        return fold(written) == written or key in (accent_key(u.short_name), *u.former_accents) or \
            (folded != name_key(u.short_name) and not u.former_accents)

    return any(names(u) for u in reference().communes["old"].values()
               if u.province_code == commune.province_code and u.district_code != commune.district_code)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, len(COMMUNES) - 1), kind=st.integers(0, 3), at=st.integers(0, 30),
       letter=st.sampled_from("aehnostuy"))
def test_a_slip_nearer_its_own_commune_by_a_whole_slip_converts_to_it(index, kind, at, letter):
    """One slip in the name (district and province written): when the name stays nearer to its commune than to any
    other of the district by a whole slip, the answer is that commune (certain, or its split); otherwise it is never
    certain of a commune farther than the nearest."""
    commune = COMMUNES[index]
    short = strip_type(commune.name)
    slipped = _slip(short, kind, at, letter)
    if len(name_key(slipped)) < 3 or name_key(slipped) == name_key(short):
        return
    if any(word in ABBREVIATIONS for word in fold(slipped).lower().split()):
        return  # the slip wrote a type's abbreviation ("Tú Sơn" -> "Tt Sơn": "TT" is Thị trấn): no name to read
    ref = reference()
    district, province = ref.districts[commune.district_code], ref.provinces["old"][commune.province_code]
    text = f"Thôn 2, {commune.type} {slipped}, {district.name}, {province.name}"
    result = convert_address(text)
    if _former_name_elsewhere(slipped, commune):  # issue 14: a typo never wins over an exact (former) name
        assert not result.certain, (text, result)
        return
    truth = expected(commune)
    slips = _district_slips(commune, slipped)
    own = slips.pop(commune.code)
    if all(own + 1 <= other for other in slips.values()):
        if len(truth) == 1:
            assert result.status == "converted" and {result.new_commune_code} == truth, (text, result)
        else:
            assert result.status == "split" and set(result.candidates) == truth, (text, result)
    elif result.certain:  # then it must be certain of where a nearest commune went
        slips[commune.code] = own
        nearest = [code for code, n in slips.items() if n == min(slips.values())]
        assert result.new_commune_code in set().union(*(expected(reference().communes["old"][c]) for c in nearest)), \
            (text, result, slips)



@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(["a", "Đ", "1", "²", "Ⅷ", "_", " ", "\t", "\n", "\u00a0", "\x01", "\x85", "\ufffd",
                                 "\u200b", ",", "é", "\u0301", "中", "ǅ"]), max_size=10).map("".join))
def test_the_one_pass_validity_check_agrees_with_the_full_one(text):
    """An address the one-pass check lets through is one the full checks find nothing wrong with, and every other
    value gets the full checks' reason."""
    from hopnhat.units import convert

    assert convert.invalid_reason(text) == convert._checked_reason(text)
    assert convert.invalid_reason(text * 60) == convert._checked_reason(text * 60)  # past MAX_LENGTH too
