"""The blind population (bench/blind): reproducible bytes, the bench's contract, noises that are what the truth
says, households / twins / namesakes as drawn."""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.blind.generate import COLUMNS, TRUTH, generate  # noqa: E402
from bench.blind.keys import strip_accents  # noqa: E402

NAME_NOISES = {"typo", "accents_lost", "telex", "vni", "name_swap", "middle_dropped", "middle_added"}
ID_NOISES = {"id_missing", "id_leading_zero", "id_float", "id_scientific", "cmnd_instead", "cmnd_beside", "id_slip"}
TONES = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323",
         "1": "\u0301", "2": "\u0300", "3": "\u0309", "4": "\u0303", "5": "\u0323"}
TELEX = (("dd", "đ"), ("aa", "â"), ("ee", "ê"), ("oo", "ô"), ("aw", "ă"), ("ow", "ơ"), ("uw", "ư"))
VNI = (("d9", "đ"), ("a6", "â"), ("e6", "ê"), ("o6", "ô"), ("a8", "ă"), ("o7", "ơ"), ("u7", "ư"))
VOWELS = "aăâeêioôơuưy"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("blind")
    generate(20000, 5, out)
    people = {p["entity"]: p for p in pq.read_table(out / "people.parquet").to_pylist()}
    rows = [i | t for i, t in zip(pq.read_table(out / "input.parquet").to_pylist(),
                                  pq.read_table(out / "truth.parquet").to_pylist(), strict=True)]
    return {"rows": rows, "people": people, "path": out}


def _place_tone(word: str, tone: str) -> str:
    """Where the input method puts the tone (old style: hòa, thủy)."""
    idx = [i for i, c in enumerate(word) if c in VOWELS]
    if word.startswith("qu") or (word.startswith("gi") and len(idx) > 1):
        idx = idx[1:]
    marked = [i for i in idx if word[i] in "ăâêôơư"]
    if marked:
        at = marked[-1]
    elif idx[-1] + 1 < len(word) or len(idx) == 1:
        at = idx[-1]
    else:
        at = idx[1] if len(idx) == 3 else idx[0]
    return unicodedata.normalize("NFC", word[:at + 1] + tone + word[at + 1:])


def _decode(text: str, table: tuple[tuple[str, str], ...], keys: str) -> str:
    words = []
    for word in text.lower().split():
        tone = ""
        if word[-1] in keys:
            word, tone = word[:-1], TONES[word[-1]]
        for typed, letter in table:
            word = word.replace(typed, letter)
        words.append(_place_tone(word, tone) if tone else word)
    return " ".join(words)


def _true_name(p: dict[str, str]) -> str:
    return f"{p['family']} {p['middle']} {p['given']}".lower()


def _year(dob: str) -> int:
    return int(dob[:4]) if "-" in dob or len(dob) == 4 else int(dob[-4:])


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    generate(1500, 9, tmp_path / "a")
    generate(1500, 9, tmp_path / "b")
    generate(1500, 10, tmp_path / "c")
    for name in ("input.parquet", "truth.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "c" / name).read_bytes()


def test_contract_columns(data: dict[str, Any]) -> None:
    inp, truth = pq.read_table(data["path"] / "input.parquet"), pq.read_table(data["path"] / "truth.parquet")
    assert tuple(inp.column_names) == COLUMNS == ("full_name", "dob", "sex", "id_number", "phone", "address")
    assert tuple(truth.column_names) == TRUTH
    assert inp.num_rows == truth.num_rows
    assert all(str(f.type) == "string" for f in (*inp.schema, *truth.schema))
    assert 1.35 < inp.num_rows / 20000 < 1.5  # ≈1.4 records per person
    assert {r["relation"] for r in data["rows"]} == {"", "twin", "namesake"}


def test_every_person_has_one_clean_population_record(data: dict[str, Any]) -> None:
    clean = Counter(r["entity"] for r in data["rows"] if r["register"].startswith("dancu") and not r["noises"])
    assert set(clean) == set(data["people"])
    for r in data["rows"]:
        if r["noises"]:
            continue
        p = data["people"][r["entity"]]
        assert r["full_name"].lower() == _true_name(p)
        assert r["id_number"] == p["cccd"]
        assert _year(r["dob"]) == p["year"]


def test_noises_are_what_truth_says(data: dict[str, Any]) -> None:
    seen: Counter[str] = Counter()
    for r in data["rows"]:
        kinds = set(r["noises"].split(";")) - {""}
        p = data["people"][r["entity"]]
        seen.update(kinds)
        if "dob_missing" in kinds:
            assert r["dob"] == ""
        elif "lunar_year" in kinds:
            assert _year(r["dob"]) == p["year"] - 1 and (p["month"] == 1 or p["month"] == 2 and p["day"] <= 15)
        elif r["dob"]:
            assert _year(r["dob"]) == p["year"]
        if "year_only" in kinds:
            assert re.fullmatch(r"\d{4}", r["dob"])
        if "placeholder_0101" in kinds:
            assert r["dob"].replace("-", "/").split("/")[:2] in (["01", "01"], ["1", "1"]) or \
                r["dob"].endswith("-01-01")
        if "sex_wrong" in kinds:
            assert r["sex"].lower().startswith("n") and (r["sex"].lower() == "nam") == (p["sex"] == "F")
        if "id_missing" in kinds:
            assert r["id_number"] == ""
        if "id_slip" not in kinds:
            expected = {"id_leading_zero": p["cccd"].lstrip("0"), "id_float": f"{int(p['cccd'])}.0",
                        "cmnd_instead": p["cmnd"]}
            for kind, value in expected.items():
                if kind in kinds:
                    assert r["id_number"] == value
            if not kinds & ID_NOISES:
                assert r["id_number"] == p["cccd"]
        else:
            digits = re.sub(r"\D", "", r["id_number"].split(".")[0])
            assert digits not in (p["cccd"], p["cccd"].lstrip("0"), p["cmnd"])
        if "id_scientific" in kinds:
            assert re.fullmatch(r"\d\.\d{5}E\+\d\d", r["id_number"])
        if "cmnd_beside" in kinds:
            assert p["cmnd"] in r["id_number"]
        name_kinds = kinds & NAME_NOISES
        if name_kinds == {"telex"}:
            assert _decode(r["full_name"], TELEX, "sfrxj") == _true_name(p)
        if name_kinds == {"vni"}:
            assert _decode(r["full_name"], VNI, "12345") == _true_name(p)
        if name_kinds == {"accents_lost"}:
            assert r["full_name"].isascii() and r["full_name"].lower() != _true_name(p)
        if not name_kinds:
            assert r["full_name"].lower() == _true_name(p)
        if "address_stale" in kinds:
            assert len(r["address"].split(", ")) == 4  # hamlet, old commune, district, old province
            assert strip_accents(p["old_commune"]).upper() in strip_accents(r["address"]).upper()
    assert all(seen[k] > 0 for k in NAME_NOISES | ID_NOISES | {"lunar_year", "day_month_swap", "address_stale"})


def test_noise_counts_on_non_first_records(data: dict[str, Any]) -> None:
    counts = Counter(len(set(r["noises"].split(";")) - {""}) for r in data["rows"])
    assert set(counts) == {0, 1, 2, 3}
    per_entity = Counter(r["entity"] for r in data["rows"])
    assert counts[0] > len(per_entity)  # every first record is clean, and some later ones too


def test_households_twins_namesakes(data: dict[str, Any]) -> None:
    people = list(data["people"].values())
    households = defaultdict(list)
    for p in people:
        households[p["household"]].append(p)
    assert 3.2 < len(people) / len(households) < 3.8  # the 2019 census: 3.5
    for members in households.values():
        assert len({(m["old_commune"], m["hamlet"]) for m in members}) == 1
        assert len({m["given"] for m in members}) == len(members)  # no two members share a given name
    twins = [p for p in people if p["twin"]]
    assert 0.001 < len(twins) / len(people) < 0.02
    by_birth = Counter((p["household"], p["year"], p["month"], p["day"]) for p in twins)
    assert set(by_birth.values()) == {2}
    assert all(p["family"] == q["family"] and p["given"] != q["given"] for p in twins for q in twins
               if p["household"] == q["household"] and p["entity"] != q["entity"]
               and (p["year"], p["month"], p["day"]) == (q["year"], q["month"], q["day"]))
    named = defaultdict(set)
    for p in people:
        named[(p["family"], p["middle"], p["given"], p["year"], p["month"], p["day"])].add(p["household"])
    for p in people:
        key = (p["family"], p["middle"], p["given"], p["year"], p["month"], p["day"])
        assert p["namesake"] == (len(named[key]) > 1)
    relation = {r["entity"]: r["relation"] for r in data["rows"]}
    assert all(relation[p["entity"]] == ("twin" if p["twin"] else "namesake" if p["namesake"] else "")
               for p in people if p["entity"] in relation)


def test_shared_phones_in_households(data: dict[str, Any]) -> None:
    people = list(data["people"].values())
    children = [p for p in people if 2025 - p["year"] < 18 and p["phone"]]
    phones = Counter(p["phone"] for p in people if p["phone"])
    assert children and all(phones[c["phone"]] >= 2 for c in children)  # a parent's number


def test_explain_one_slip_and_id_relation() -> None:
    from bench.blind.explain import id_relation, one_slip

    assert one_slip("034072428762", "034072428792") and one_slip("034072428762", "034072427862")
    assert not one_slip("034072428762", "034072428762") and not one_slip("034072428762", "034072420792")
    assert id_relation("151234567 - 034072428762", "034072428762") == "same 12-digit ID"
    assert id_relation("034072428762", "034072428792") == "12-digit IDs one slip apart"
    assert id_relation("34072428762.0", "034072428762") == "an ID missing or not 12 digits"


def test_explain_scores_a_perfect_and_an_empty_linker(data: dict[str, Any]) -> None:
    import pyarrow as pa
    from bench.blind.explain import Run, report

    folder = data["path"]
    entities = [r["entity"] for r in data["rows"]]
    pq.write_table(pa.table({"cluster_id": entities}), folder / "out-perfect.parquet")
    pq.write_table(pa.table({"cluster_id": list(range(len(entities)))}), folder / "out-none.parquet")
    perfect, empty = report(Run(folder, "out-perfect.parquet")), report(Run(folder, "out-none.parquet"))
    scored = [line for line in perfect if "missed /" in line]
    assert scored and all(": 1.0000 (0 missed" in line for line in scored)
    assert "false pairs: 0 (0 pairs of people), by the records' IDs:" in perfect
    assert all(": 0.0000 (" in line for line in empty if "missed /" in line)
    merged = pa.table({"cluster_id": [e if e != entities[1] else entities[0] for e in entities]})
    pq.write_table(merged, folder / "out-merged.parquet")
    assert any(line.startswith("false pairs: ") and not line.startswith("false pairs: 0 ")
               for line in report(Run(folder, "out-merged.parquet")))
