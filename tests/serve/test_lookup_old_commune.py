"""The old commune of a citizen's address, as the units stage stores it (``address_old_commune_code``), and what the
lookup does with it: on a synth estate migrated by the real pipeline, every person whose free-text address was
converted from an old commune keeps that old commune's code (it was empty for every text address), the code is one
whose conversion leads to the stored new commune, and a name typed with the old commune finds the person."""

from __future__ import annotations

from typing import Any

import duckdb

from hopnhat.map.admin import AdminResolver
from hopnhat.project.config import Project
from hopnhat.serve.security.scope import Scope
from hopnhat.units.reference import reference


def _persons(project: Project, where: str) -> list[dict[str, Any]]:
    con = duckdb.connect(str(project.store_path), read_only=True)
    try:
        cur = con.execute(f"SELECT record_id, golden_id, full_name, address, address_status AS status, "
                          f"address_old_commune_code AS old, address_new_commune_code AS new, "
                          f"address_candidates AS candidates FROM person WHERE {where} ORDER BY record_id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def test_converted_addresses_keep_their_old_commune(project: Project) -> None:
    converted = _persons(project, "address_status IN ('converted', 'split')")
    assert len(converted) > 100
    ref = reference()
    for p in converted:
        assert p["old"] is not None, p["address"]
        targets = {link.new_code for link in ref.new_communes_of(p["old"])}
        assert (p["new"] in targets) if p["new"] else set((p["candidates"] or "").split(";")) <= targets, p


def test_addresses_in_the_new_units_have_no_old_commune(project: Project) -> None:
    assert all(p["old"] is None for p in _persons(project, "address_status IN ('already_new', 'not_found')"))


def test_old_commune_per_address_ending() -> None:
    """Two addresses sharing their ending get the same old commune; one written in the new units gets none."""
    texts = ["Thôn 3, Xã Bình Quế, Huyện Thăng Bình, Tỉnh Quảng Nam",
             "Thôn 4, Xã Bình Quế, Huyện Thăng Bình, Tỉnh Quảng Nam",
             "Xã Hòa Châu Huyện Hòa Vang", "Phường Hải Châu, Thành phố Đà Nẵng", "nowhere at all", None]
    found = AdminResolver().from_text(texts)
    bq = next(c for c, u in reference().communes["old"].items() if u.name == "Xã Bình Quế")
    assert [r.old_commune_code for r in found[:2]] == [bq, bq]
    assert found[2].old_commune_code is not None and found[2].status == "converted"
    assert [r.old_commune_code for r in found[3:]] == [None, None, None]


def test_name_with_old_commune_finds_the_person(ctx) -> None:
    """A citizen with a name of their own in the estate, typed with the old commune of their address: the old
    commune is read, and the citizen comes first."""
    people = _persons(ctx.project, "address_status = 'converted' AND golden_id IS NOT NULL AND full_name IN "
                                   "(SELECT full_name FROM person GROUP BY 1 HAVING count(DISTINCT golden_id) = 1)")
    p = people[len(people) // 2]
    ref = reference()
    old = ref.communes["old"][p["old"]]
    district = ref.districts[old.district_code or ""].name
    found = ctx.lookup.find(f"{p['full_name']}, {old.name}, {district}", Scope(("48",), "48"))
    assert found.query.old_commune == p["old"]
    assert found.groups and found.groups[0].best.row.get("golden_id") == p["golden_id"]
