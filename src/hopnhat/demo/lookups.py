"""Demo step: the one-stop-shop lookup tried the way clerks type — a name without diacritics and a birth year, given
name first, a phone in +84 form, a name with the old (pre-merger) commune — on citizens of the migrated estate, with
the reading the lookup chose and where the citizen came out. The lookup index is built here, where the web app will
find it ready."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hopnhat.i18n import tr
from hopnhat.load.lookup_index import ensure_index
from hopnhat.load.store import connect
from hopnhat.load.storedb import SQLiteReader, open_store
from hopnhat.project.config import load_project
from hopnhat.serve.search.lookup import Lookup
from hopnhat.serve.security.mask import mask_text
from hopnhat.serve.security.scope import Scope
from hopnhat.text.normalize import fold
from hopnhat.units.convert import convert_address
from hopnhat.units.reference import reference


@dataclass(frozen=True)
class Tried:
    what: str
    query: str  # identifiers masked
    reading: str
    rank: int | None  # of the intended citizen (1 = first)
    results: int


def _citizen(store: Path) -> dict[str, object] | None:
    """A citizen with a golden record, a birth date, a phone and an old (pre-merger) commune in the address, whose
    name has three words."""
    with connect(store, read_only=True) as con:
        cur = con.execute("""SELECT golden_id, full_name, year(birth_date) AS y, phone, address FROM person
            WHERE golden_id IS NOT NULL AND birth_date IS NOT NULL AND phone IS NOT NULL
              AND address_status = 'converted' AND len(string_split(full_name, ' ')) = 3
            ORDER BY golden_id LIMIT 50""")
        names = [d[0] for d in cur.description]
        for row in cur.fetchall():
            c = dict(zip(names, row, strict=True))
            c["old"] = convert_address(c["address"]).old_commune_code
            if c["old"]:
                return c
    return None


def _queries(c: dict[str, object]) -> list[tuple[str, str]]:
    name = str(c["full_name"])
    words = name.split()
    old = reference().communes["old"][str(c["old"])]
    phone = str(c["phone"])
    return [
        (tr("họ tên không dấu + năm sinh", "name without diacritics + birth year"), f"{fold(name).lower()} {c['y']}"),
        (tr("tên trước, họ sau + năm sinh", "given name first + birth year"),
         f"{words[-1]} {' '.join(words[:-1])} {c['y']}"),
        (tr("số điện thoại dạng +84", "phone in +84 form"), f"+84 {phone[1:4]} {phone[4:7]} {phone[7:]}"),
        (tr("họ tên, xã cũ (trước sáp nhập)", "name, old commune (before the merger)"), f"{name}, {old.name}"),
    ]


def try_lookups(estate: Path, index_base: Path | None = None) -> list[Tried]:
    """Build the lookup index (if the store changed; beside the app database unless ``index_base``) and run the
    sample queries with a province-wide scope."""
    project = load_project(estate / "merger.yaml")
    reader = open_store(str(project.store_path), 60_000)
    try:
        path, _ = ensure_index(reader, project, index_base)
        citizen = _citizen(project.store_path)
    finally:
        reader.close()
    if citizen is None:
        return []
    province = project.config.merged_unit.province_code
    lookup = Lookup(SQLiteReader(path, 5_000), 3_000, 82.0, 20)
    out = []
    try:
        for what, text in _queries(citizen):
            found = lookup.find(text, Scope((province,), province))
            rank = next((i + 1 for i, g in enumerate(found.groups)
                         if any(h.row.get("golden_id") == citizen["golden_id"] for h in g.hits)), None)
            out.append(Tried(what, mask_text(text), found.query.slug, rank, len(found.groups)))
    finally:
        lookup.index.close()
    return out


__all__ = ["Tried", "try_lookups"]
