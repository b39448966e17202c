"""The review queue: items raised by a run, decisions recorded, applied on the next run, never lost; export/import."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from hopnhat.errors import InputError
from hopnhat.link import link_store
from hopnhat.link.review import count_items, decide, export_items, import_decisions, list_items
from hopnhat.link.tables import columns_of, one
from hopnhat.project.config import LinkageSpec

BAND = LinkageSpec(match_threshold=0.99999, review_threshold=0.9)  # puts some person pairs between the thresholds


def test_split_addresses_are_queued_with_candidates(linked_con: duckdb.DuckDBPyConnection) -> None:
    items = list_items(linked_con, entity="parcel", limit=1000)
    assert items and all(i["kind"] == "split_unit" and i["field"] == "commune" for i in items)
    item = items[0]
    codes = item["candidates"].split(";")
    assert len(codes) >= 2 and [c["code"] for c in item["evidence"]["candidates"]] == codes
    assert "48" in item["scope_codes"].split(";") and set(codes) <= set(item["scope_codes"].split(";"))
    assert item["records"][item["record_id_l"]]["map_sheet"]
    splits = linked_con.execute("SELECT count(*) FROM person WHERE address_status = 'split'").fetchone()[0]
    units = [i for i in list_items(linked_con, entity="person", limit=10_000) if i["kind"] == "split_unit"]
    assert len(units) == splits > 0


def test_scope_and_status_filters(linked_con: duckdb.DuckDBPyConnection) -> None:
    total = count_items(linked_con, status="all")
    assert count_items(linked_con, scope="48") == total  # every item is in the new Đà Nẵng
    assert count_items(linked_con, scope=["99999"]) == 0
    assert count_items(linked_con, status="decided") == 0
    with pytest.raises(InputError):
        list_items(linked_con, status="bogus")


def test_commune_decision_applied_on_next_run(linked_con: duckdb.DuckDBPyConnection) -> None:
    item = list_items(linked_con, entity="parcel", limit=1)[0]
    choice = item["candidates"].split(";")[1]
    decisions_before = linked_con.execute("SELECT count(*) FROM review_decisions").fetchone()[0]
    decide(linked_con, item["item_key"], f"commune:{choice}", "clerk", "map sheet says so")
    link_store(linked_con, LinkageSpec(entities=["parcel"]), "run-2")
    code, status = one(linked_con, "SELECT commune_new_commune_code, commune_status FROM parcel "
                                   "WHERE record_id = ?", [item["record_id_l"]])
    assert (code, status) == (choice, "decided")
    again = [i for i in list_items(linked_con, status="decided") if i["item_key"] == item["item_key"]]
    assert again and again[0]["decision"] == f"commune:{choice}" and again[0]["decided_by"] == "clerk"
    assert linked_con.execute("SELECT g.commune_new_commune_code FROM golden_parcel g JOIN parcel p USING (golden_id) "
                              "WHERE p.record_id = ?", [item["record_id_l"]]).fetchone()[0] == choice
    assert linked_con.execute("SELECT count(*) FROM review_decisions").fetchone()[0] == decisions_before + 1


@pytest.mark.parametrize(("decision", "kind"), [("commune:00000", "split_unit"), ("same", "split_unit"),
                                                ("maybe", "split_unit")])
def test_invalid_decisions_are_refused(linked_con: duckdb.DuckDBPyConnection, decision: str, kind: str) -> None:
    item = list_items(linked_con, limit=1)[0]
    with pytest.raises(InputError) as err:
        decide(linked_con, item["item_key"], decision, "clerk")
    assert decision in str(err.value)
    with pytest.raises(InputError):
        decide(linked_con, "pair:person:nope|nope2", "same", "clerk")


def test_pair_decisions_split_and_join_people(linked_con: duckdb.DuckDBPyConnection) -> None:
    link_store(linked_con, BAND, "run-2")
    pairs = list_items(linked_con, entity="person", limit=1000)
    # a pair a rule kept apart is raised whatever its probability (its evidence says why): not one of the band's
    pairs = [p for p in pairs if p["kind"] == "pair" and "kept_apart" not in p["evidence"]]
    assert pairs, "the band thresholds should leave pairs to review"
    assert all(0.9 <= p["match_probability"] < 0.99999 for p in pairs)
    assert {c["comparison"] for c in pairs[0]["evidence"]["comparisons"]} >= {"name", "birth_date", "id"}
    linked = linked_con.execute("SELECT record_id_l, record_id_r FROM link_pairs WHERE entity = 'person' AND linked "
                                "AND rule = 'model' AND match_probability >= 0.99999 ORDER BY 1 LIMIT 1").fetchone()
    strangers = one(linked_con, "SELECT min(record_id), max(record_id) FROM person")
    linked_con.execute("INSERT INTO review_items (item_key, kind) VALUES (?, 'pair'), (?, 'pair')",
                       [f"pair:person:{linked[0]}|{linked[1]}", f"pair:person:{strangers[0]}|{strangers[1]}"])
    decide(linked_con, f"pair:person:{linked[0]}|{linked[1]}", "different", "clerk")
    decide(linked_con, f"pair:person:{strangers[0]}|{strangers[1]}", "same", "clerk")
    decide(linked_con, pairs[0]["item_key"], "different", "clerk")
    link_store(linked_con, BAND, "run-3")
    gid = dict(linked_con.execute("SELECT record_id, golden_id FROM person").fetchall())
    assert gid[linked[0]] != gid[linked[1]]
    assert gid[strangers[0]] == gid[strangers[1]]
    assert gid[pairs[0]["record_id_l"]] != gid[pairs[0]["record_id_r"]]
    forced = linked_con.execute("SELECT rule, linked FROM link_pairs WHERE record_id_l = ? AND record_id_r = ?",
                                list(strangers)).fetchone()
    assert forced == ("decision", True)
    decided = {i["item_key"] for i in list_items(linked_con, status="decided", limit=100)}
    assert pairs[0]["item_key"] in decided  # the decided pair is raised again, shown with its decision


def test_export_fill_import(linked_con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    out = tmp_path / "queue.csv"
    n = export_items(linked_con, out, entity="parcel")
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == n > 1
    rows[0]["decision"] = "commune:" + rows[0]["candidates"].split(";")[0]
    rows[0]["note"] = "hamlet list"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = import_decisions(linked_con, out, "clerk2")
    assert (result.applied, result.unchanged, result.blank) == (1, 0, n - 1)
    assert import_decisions(linked_con, out, "clerk2").unchanged == 1
    decided = list_items(linked_con, status="decided")
    assert [(d["item_key"], d["decided_by"], d["note"]) for d in decided] == [(rows[0]["item_key"], "clerk2",
                                                                              "hamlet list")]


def test_excel_round_trip_and_bad_rows(linked_con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "queue.xlsx"
    export_items(linked_con, out, entity="parcel")
    book = load_workbook(out)
    sheet = book.active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)  # record text never runs
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("decision") + 1, value="commune:" + sheet.cell(
        row=2, column=header.index("candidates") + 1).value.split(";")[0])
    sheet.cell(row=3, column=header.index("decision") + 1, value="not-a-commune")
    book.save(out)
    with pytest.raises(InputError) as err:
        import_decisions(linked_con, out, "clerk")
    assert err.value.row == 3 and err.value.column == "decision" and err.value.value == "not-a-commune"
    assert linked_con.execute("SELECT count(*) FROM review_decisions").fetchone()[0] == 0  # nothing half-imported


def test_read_only_store_lists_without_writing(linked, tmp_path: Path) -> None:
    con = duckdb.connect(str(linked.path), read_only=True)
    assert count_items(con, status="all") > 0
    con.close()
    empty = duckdb.connect(str(tmp_path / "empty.duckdb"))
    empty.close()
    ro = duckdb.connect(str(tmp_path / "empty.duckdb"), read_only=True)
    assert list_items(ro) == [] and count_items(ro) == 0
    ro.close()


def _twin_with_other_cccd(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """Copy a person record with a valid CCCD, changing the CCCD's last six digits: the same name, date, address and
    phone, but another citizen's number."""
    col = "cccd" if con.execute("SELECT count(*) FROM person WHERE length(cccd) = 12").fetchone()[0] else "id_number"
    record, number = one(con, f"""SELECT record_id, {col} FROM person WHERE length({col}) = 12
                                  AND {col} LIKE '04%' ORDER BY record_id LIMIT 1""")
    other = number[:6] + ("000001" if number[6:] != "000001" else "000002")
    con.execute(f"INSERT INTO person SELECT * REPLACE (record_id || '-x' AS record_id, '{other}' AS {col}) "
                "FROM person WHERE record_id = ?", [record])
    return record, record + "-x"


def test_two_valid_cccds_are_kept_apart_and_shown_why(store: duckdb.DuckDBPyConnection) -> None:
    a, b = _twin_with_other_cccd(store)
    link_store(store, LinkageSpec(entities=["person"]), "run-1")
    ga, gb = (store.execute("SELECT golden_id FROM person WHERE record_id = ?", [r]).fetchone()[0] for r in (a, b))
    assert ga != gb
    rows = store.execute("""SELECT linked, match_probability, evidence FROM link_pairs
                            WHERE entity = 'person' AND ? IN (record_id_l, record_id_r)""", [b]).fetchall()
    kept = [json.loads(e)["kept_apart"] for linked, _, e in rows if not linked and "kept_apart" in json.loads(e)]
    assert kept and kept[0]["rule"] == "conflicting_cccd"
    assert kept[0]["cccd_l"] != kept[0]["cccd_r"] and "****" in kept[0]["cccd_l"]
    items = [i for i in list_items(store, entity="person", limit=100000) if b in (i["record_id_l"], i["record_id_r"])]
    assert any(i["evidence"].get("kept_apart", {}).get("rule") == "conflicting_cccd" for i in items)


def _twin_in_household(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """Copy a person record written with diacritics as its twin: the same family and middle name, birth date, address
    and phone, the second most frequent given name of the store instead of the most frequent one, no ID number."""
    (first, _), (second, _) = con.execute(
        """SELECT split_part(full_name, ' ', -1) AS given, count(*) FROM person
           WHERE full_name <> strip_accents(full_name) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 2""").fetchall()
    record = one(con, """SELECT record_id FROM person WHERE split_part(full_name, ' ', -1) = ?
                         AND birth_date IS NOT NULL AND phone IS NOT NULL ORDER BY record_id LIMIT 1""", [first])[0]
    ids = ", ".join(f"NULL AS {c}" for c in ("id_number", "cccd", "cmnd") if c in columns_of(con, "person"))
    con.execute(f"INSERT INTO person SELECT * REPLACE (record_id || '-t' AS record_id, "
                f"regexp_replace(full_name, ' [^ ]+$', ' ' || ?) AS full_name, {ids}) FROM person WHERE record_id = ?",
                [second, record])
    return record, record + "-t"


def test_household_rule_is_shown_in_the_queue(store: duckdb.DuckDBPyConnection) -> None:
    """Two people of one household (one phone or hamlet, one family name and birth date, two given names) the model
    would merge are kept apart, and the queue says so — not only why others were merged."""
    a, b = _twin_in_household(store)
    link_store(store, LinkageSpec(entities=["person"]), "run-1")
    linked_con = store
    items = [i for i in list_items(linked_con, entity="person", limit=10_000)
             if i["kind"] == "pair" and i["evidence"].get("kept_apart", {}).get("rule") == "household"
             and {a, b} == {i["record_id_l"], i["record_id_r"]}]
    assert items
    item = items[0]
    left, right = item["records"][item["record_id_l"]], item["records"][item["record_id_r"]]
    assert left["full_name"] != right["full_name"] and left["birth_date"] == right["birth_date"]
    assert left["phone"] == right["phone"] or left["address"] == right["address"]
    golden = dict(linked_con.execute("SELECT record_id, golden_id FROM person WHERE record_id IN (?, ?)",
                                     [item["record_id_l"], item["record_id_r"]]).fetchall())
    assert golden[item["record_id_l"]] != golden[item["record_id_r"]]


def _stale_copy(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """Copy a person record with a birth date as the same person's record in another register: the address of a
    record in another commune, no ID number, no phone — nothing but the name and the date in common."""
    record, commune = one(con, """SELECT record_id, address_new_commune_code FROM person WHERE birth_date IS NOT NULL
                                  AND address_new_commune_code IS NOT NULL AND address_status = 'converted'
                                  ORDER BY record_id LIMIT 1""")
    other = one(con, """SELECT record_id FROM person WHERE address_new_commune_code <> ?
                        AND address_status = 'converted' ORDER BY record_id LIMIT 1""", [commune])[0]
    moved = [c for c in columns_of(con, "person") if c.startswith("address") or c.startswith("commune")]
    blank = [c for c in ("id_number", "id_number_kind", "cccd", "cmnd", "phone") if c in columns_of(con, "person")]
    replace = ", ".join([f"o.{c} AS {c}" for c in moved] + [f"NULL AS {c}" for c in blank])
    con.execute(f"INSERT INTO person SELECT p.* REPLACE (p.record_id || '-s' AS record_id, {replace}) "
                "FROM person p, person o WHERE p.record_id = ? AND o.record_id = ?", [record, other])
    return record, record + "-s"


def test_a_pair_tied_by_name_and_date_alone_is_left_for_review_and_says_why(store: duckdb.DuckDBPyConnection) -> None:
    """A record with only the name and the birth date in common with another looks like a namesake born the same day:
    the model alone does not link it (persons.UNANCHORED), and the queue shows why."""
    a, b = _stale_copy(store)
    link_store(store, LinkageSpec(entities=["person"]), "run-1")
    ga, gb = (store.execute("SELECT golden_id FROM person WHERE record_id = ?", [r]).fetchone()[0] for r in (a, b))
    assert ga != gb
    items = [i for i in list_items(store, entity="person", limit=100000) if {a, b} == {i["record_id_l"],
                                                                                     i["record_id_r"]}]
    assert items and items[0]["evidence"]["kept_apart"]["rule"] == "unanchored"
    # and the run's own estimate of how often such a pair is one person, against the bar it did not reach
    estimate = items[0]["evidence"]["namesakes"]
    assert estimate["linked"] is False and estimate["needed"] == 0.95
    assert estimate["dates"] == "date" and estimate["one_person_at_least"] < 0.95
    assert {"one", "two", "names_from"} <= set(estimate)
