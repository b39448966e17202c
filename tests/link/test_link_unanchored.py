"""Unanchored pairs (persons.py): a record tied to others by its name and birth date alone — another commune, no
comparable number, no phone — looks exactly like a namesake born the same day elsewhere. By default the model never
links it on its own (left for review, and the pair says why); in ``only_candidate`` mode it is linked when nobody
else fits it, and left apart beside a namesake."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from hopnhat.link import persons
from hopnhat.link.cluster import Clusters
from hopnhat.link.engine import open_backend
from hopnhat.link.standalone import link_people, people_features
from hopnhat.link.truth import person_rows

COLUMNS = ["full_name", "dob", "sex", "id_number", "phone", "address"]
# One woman in two registers (her CCCD, her commune), and a third record of hers with an address she left, no number
# and no phone: the home record of the population register, a procedure file, a land file. A rare name, so that the
# synth estate around them holds no other Tôn Nữ Diệu Hiền.
HOME = ("Tôn Nữ Diệu Hiền", "12/03/1971", "Nữ", "048171001234", "0905123456",
        "Thôn 3, Xã Điện Hòa, Thị xã Điện Bàn, Tỉnh Quảng Nam")
FILE = ("TÔN NỮ DIỆU HIỀN", "1971-03-12", "F", "048171001234", "",
        "Thôn 3, Xã Điện Hòa, Thị xã Điện Bàn, Tỉnh Quảng Nam")
STALE = ("Tôn Nữ Diệu Hiền", "12/03/1971", "Nữ", "", "", "Tổ 5, Phường Hòa Thuận Tây, Quận Hải Châu, Thành phố Đà Nẵng")
# the same record with her phone written: anchored
STALE_PHONE = STALE[:4] + ("0905 123 456",) + STALE[5:]
# Her namesake, born the same day, in a third commune, with a CCCD of her own: two valid CCCDs, two people.
NAMESAKE = ("Tôn Nữ Diệu Hiền", "12/03/1971", "Nữ", "049171005678", "0935765432",
            "Thôn 2, Xã Tam Xuân I, Huyện Núi Thành, Tỉnh Quảng Nam")


@pytest.fixture(scope="module")
def around(estate: Path) -> pa.Table:
    """The synth estate's person rows: the data the model is trained on."""
    return person_rows(estate).select(COLUMNS)


def _with(around: pa.Table, *records: tuple[str, ...]) -> pa.Table:
    planted = pa.table({c: [r[i] for r in records] for i, c in enumerate(COLUMNS)})
    return pa.concat_tables([around, planted])


def _clusters(table: pa.Table) -> list[int]:
    """The CLI's clusters of the last four rows."""
    out = link_people(table, threads=1).table
    return out.column("cluster_id").to_pylist()[-4:]


def _scored(table: pa.Table) -> tuple[duckdb.DuckDBPyConnection, list[tuple[int, int, float]]]:
    work = people_features(table, threads=1)
    backend = open_backend("duckdb", work, 1)
    try:
        persons.person_pairs(work, backend, 0.6)
    finally:
        backend.close()
    return work, work.execute("SELECT uid_l, uid_r, match_probability FROM person_pairs ORDER BY 1, 2").fetchall()


def _mode(table: pa.Table, mode: str) -> Clusters:
    work, scored = _scored(table)
    try:
        return persons.person_clusters(work, table.num_rows, [p for p in scored if p[2] >= 0.95], 0.95, 0.6,
                                       scored=scored, unanchored_links=mode)
    finally:
        work.close()


def test_a_record_tied_by_name_and_date_alone_is_left_for_review(around: pa.Table) -> None:
    home, file, stale = _clusters(_with(around, HOME, FILE, STALE))[-3:]
    assert home == file
    assert stale != home


def test_a_phone_in_common_anchors_it(around: pa.Table) -> None:
    home, file, stale = _clusters(_with(around, HOME, FILE, STALE_PHONE))[-3:]
    assert home == file == stale


def test_the_pair_left_apart_says_why(around: pa.Table) -> None:
    table = _with(around, HOME, FILE, STALE)
    n = table.num_rows
    work, scored = _scored(table)
    weak = persons.unanchored(work)
    assert (n - 3, n - 1) in weak and (n - 2, n - 1) in weak  # name + date alone, on both sides
    assert (n - 3, n - 2) not in weak  # the same CCCD
    result = persons.person_clusters(work, n, [p for p in scored if p[2] >= 0.95], 0.95, 0.6, scored=scored)
    work.close()
    high = [(a, b) for a, b, p in scored if b == n - 1 and p >= 0.95]
    assert high and all(result.reasons[pair] == persons.UNANCHORED_RULE for pair in high)


def test_only_candidate_mode_links_it_when_nobody_else_fits(around: pa.Table) -> None:
    root = _mode(_with(around, HOME, FILE, STALE), "only_candidate").root
    assert root[-3] == root[-2] == root[-1]


def test_only_candidate_mode_keeps_it_apart_beside_a_namesake(around: pa.Table) -> None:
    root = _mode(_with(around, HOME, FILE, STALE, NAMESAKE), "only_candidate").root
    home, file, stale, namesake = root[-4:]
    assert home == file
    assert namesake != home  # two valid CCCDs
    assert stale not in (home, namesake)  # a coin toss: left to a person


def test_the_cli_and_the_merger_file_choose_the_mode(around: pa.Table, tmp_path: Path) -> None:
    """``hopnhat link persons --unanchored only_candidate`` links the record nobody else fits; the default leaves it
    apart; an unknown mode is refused (exit 2) naming the option. ``linkage.unanchored`` in merger.yaml is checked
    at the edge."""
    import pyarrow.csv as pacsv
    from pydantic import ValidationError
    from typer.testing import CliRunner

    from hopnhat.cli.main import app
    from hopnhat.project.config import LinkageSpec

    src = tmp_path / "people.csv"
    pacsv.write_csv(_with(around, HOME, FILE, STALE), src)
    runner = CliRunner()
    clusters = {}
    for mode in ("review", "only_candidate"):
        out = tmp_path / f"{mode}.csv"
        result = runner.invoke(app, ["link", "persons", str(src), "-o", str(out), "--threads", "1",
                                     "--unanchored", mode])
        assert result.exit_code == 0, result.output
        clusters[mode] = pacsv.read_csv(out).column("cluster_id").to_pylist()[-3:]
    assert clusters["review"][0] == clusters["review"][1] != clusters["review"][2]
    assert len(set(clusters["only_candidate"])) == 1
    refused = runner.invoke(app, ["link", "persons", str(src), "-o", str(tmp_path / "x.csv"), "--unanchored", "always"])
    assert refused.exit_code == 2 and "--unanchored" in refused.output and "always" in refused.output
    assert LinkageSpec().unanchored == "review"
    assert LinkageSpec(unanchored="only_candidate").unanchored == "only_candidate"
    with pytest.raises(ValidationError):
        LinkageSpec.model_validate({"unanchored": "always"})


def test_below_unique_from_only_pairs_of_one_name_date_and_sex_are_unanchored() -> None:
    """persons.find_unanchored: from UNIQUE_FROM every pair that only the name and date tie (another commune or none,
    no comparable number, no phone in common), as before; from UNANCHORED_FROM (0.1) to UNIQUE_FROM only those the
    namesake estimate measures — one family, middle and given name, birth year, the same date or one vague, and
    the same sex (or one unknown). A middle name or sex that differs, or no birth year, is something else."""
    work = duckdb.connect()
    # uid, fam, mid, giv, byear, dob, female
    people = [(0, "nguyen", "van", "an", 1980, "1980-02-03", False),
              (1, "nguyen", "van", "an", 1980, "1980-02-03", False),
              (2, "le", "thi", "hoa", 1975, "1975-05-06", True), (3, "le", "ngoc", "hoa", 1975, "1975-05-06", True),
              (4, "tran", "minh", "chau", 1990, "1990-07-08", True),
              (5, "tran", "minh", "chau", 1990, "1990-07-08", False),
              (6, "pham", "thi", "lan", 1962, "1962-09-10", True), (7, "pham", "thi", "lan", 1962, None, None),
              (8, "vo", "van", "ba", None, None, False), (9, "vo", "van", "ba", None, None, False),
              (10, "do", "thi", "mai", 1955, "1955-01-01", True), (11, "do", "kim", "mai", 1955, "1955-01-01", True),
              (12, "ho", "van", "son", 1970, "1970-03-04", False), (13, "ho", "van", "son", 1970, "1970-03-04", False),
              (14, "bui", "thi", "nga", 1985, "1985-11-12", True), (15, "bui", "thi", "nga", 1985, "1985-11-12", True)]
    work.execute("CREATE TABLE person_features (uid BIGINT, fam VARCHAR, mid VARCHAR, giv VARCHAR, byear BIGINT, "
                 "dob DATE, female BOOLEAN)")
    work.executemany("INSERT INTO person_features VALUES (?, ?, ?, ?, ?, ?, ?)", people)
    # uid_l, uid_r, match_probability, gamma_address (-1 none, 0 another commune, 2 the same), gamma_id, gamma_phone
    scored = [(1, 0, 0.3, 0, -1, -1), (2, 3, 0.3, 0, -1, -1), (4, 5, 0.3, 0, -1, -1), (6, 7, 0.3, -1, -1, 0),
              (8, 9, 0.3, 0, -1, -1), (10, 11, 0.6, 0, -1, -1), (12, 13, 0.05, 0, -1, -1), (14, 15, 0.3, 2, -1, -1)]
    work.execute("CREATE TABLE person_scored (uid_l BIGINT, uid_r BIGINT, match_probability DOUBLE, "
                 "gamma_address INTEGER, gamma_id INTEGER, gamma_phone INTEGER)")
    work.executemany("INSERT INTO person_scored VALUES (?, ?, ?, ?, ?, ?)", scored)
    persons.find_unanchored(work)
    assert persons.unanchored(work) == {(0, 1), (6, 7), (10, 11)}
