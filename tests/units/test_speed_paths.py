"""The fast paths give the same answers as the plain ones: the local table cache, the cache of address endings in
bulk conversion, the remembered matches of the parser, and the forked shares of a large column."""

from __future__ import annotations

import pickle
import random
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hopnhat.units import bulk, column
from hopnhat.units import cache as table_cache
from hopnhat.units.convert import convert_address
from hopnhat.units.reference import build_reference, reference

# --- local table cache ---------------------------------------------------------------------------------------------


def test_cached_builds_once_then_loads(tmp_path, monkeypatch):
    monkeypatch.setenv("HOPNHAT_CACHE_DIR", str(tmp_path))
    calls = []

    def build():
        calls.append(1)
        return {"units": [1, 2, 3]}

    assert table_cache.cached("demo", "k1", build) == {"units": [1, 2, 3]}
    assert table_cache.cached("demo", "k1", build) == {"units": [1, 2, 3]}
    assert len(calls) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["demo-k1.pickle"]
    table_cache.cached("demo", "k2", build)  # a new fingerprint replaces the old file
    assert len(calls) == 2 and [p.name for p in tmp_path.iterdir()] == ["demo-k2.pickle"]


def test_damaged_cache_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("HOPNHAT_CACHE_DIR", str(tmp_path))
    (tmp_path / "demo-k.pickle").write_bytes(b"not a pickle")
    assert table_cache.cached("demo", "k", lambda: 42) == 42
    assert pickle.loads((tmp_path / "demo-k.pickle").read_bytes()) == 42


def test_loaded_tables_are_frozen_before_the_collector_resumes(tmp_path):
    """What the cache loads is moved to the permanent generation before the collector is enabled again: else the
    first allocation after the load starts a collection that walks every container just made (0.03 CPU-s on each
    start-up of ``hopnhat units convert``, in the thread that loads the tables). Run in a process of its own (a freeze
    is for the whole process); the collector stays enabled when it was."""
    script = ("import gc, pickle\nfrom hopnhat.units import cache\n"
              "data = pickle.dumps([[i] for i in range(5000)])\n"
              "before = gc.get_freeze_count()\nloaded = cache._load(data)\n"
              "print(gc.get_freeze_count() - before >= 5000, gc.isenabled(), len(loaded))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (done.returncode, done.stdout.split()) == (0, ["True", "True", "5000"]), done.stderr[-2000:]


def test_units_and_links_unpickle_without_their_constructor(monkeypatch):
    """A unit and a conversion link come back from a pickle equal, with the keys derived before (kept with the
    cached tables), without a call of the dataclass constructor (interpreted: 40 % of the load's instructions)."""
    from hopnhat.units.reference import ConversionLink, Unit

    ref = reference()
    units = [next(iter(table.values())).derive() for table in (ref.districts, *ref.communes.values())]
    links = next(iter(ref.links.values()))
    data = pickle.dumps((units, links), protocol=pickle.HIGHEST_PROTOCOL)

    def no_constructor(self, *args, **kwargs):
        raise AssertionError("constructor called")

    monkeypatch.setattr(Unit, "__init__", no_constructor)
    monkeypatch.setattr(ConversionLink, "__init__", no_constructor)
    back_units, back_links = pickle.loads(data)
    assert back_units == units and back_links == links
    assert [hash(u) for u in back_units] == [hash(u) for u in units]
    assert [vars(u) for u in back_units] == [vars(u) for u in units]  # the derived keys too


def test_the_tables_share_their_equal_strings():
    """Before the tables are kept, equal strings where they repeat are one object: a unit's fields (its province's
    code, its type), the links' codes and kinds, the keys of the reference tables and of every index. Nothing else
    changes: the tables pickle to what they were, and pickle then writes each string once."""
    from hopnhat.units.index import Indexes, _share_strings

    ref = build_reference()
    built = Indexes(ref).build().frozen()
    for table in (*ref.provinces.values(), ref.districts, *ref.communes.values()):
        for unit in table.values():
            unit.derive()
    before = pickle.dumps((ref, built), protocol=pickle.HIGHEST_PROTOCOL)
    _share_strings(ref, built)
    after = pickle.dumps((ref, built), protocol=pickle.HIGHEST_PROTOCOL)
    assert len(after) < len(before)
    old_ref, old_built = pickle.loads(before)
    assert ref.communes == old_ref.communes and ref.links == old_ref.links and ref.districts == old_ref.districts
    assert [vars(u) for u in ref.communes["old"].values()] == [vars(u) for u in old_ref.communes["old"].values()]
    assert built.old_by_district == old_built.old_by_district and built.new_communes == old_built.new_communes
    communes = list(ref.communes["old"].values())
    assert len({id(u.province_code) for u in communes}) == len({u.province_code for u in communes})
    assert len({id(u.type) for u in communes}) == len({u.type for u in communes})
    kinds = [link.kind for links in ref.links.values() for link in links]
    assert len({id(k) for k in kinds}) == len(set(kinds))
    district = next(iter(built.old_by_district))
    for key in built.old_by_district[district]:
        province = built.old_by_district[district][key][0].province_code
        same = [k for k in built.old_by_province[province] if k == key] + [k for k in built.old_communes if k == key]
        assert all(k is key for k in same)


def test_cache_can_be_switched_off(tmp_path, monkeypatch):
    monkeypatch.setenv("HOPNHAT_CACHE_DIR", "")
    assert table_cache.cache_dir() is None
    assert table_cache.cached("demo", "k", lambda: 7) == 7


def test_cached_reference_equals_a_fresh_build():
    """What the cache holds is what the CSV tables give (units, links, corrections, aliases)."""
    cached, fresh = reference(), build_reference()
    assert cached.communes == fresh.communes and cached.districts == fresh.districts
    assert cached.links == fresh.links and cached.province_map == fresh.province_map
    assert pickle.loads(pickle.dumps(fresh)).communes == fresh.communes


def test_fingerprint_follows_the_data_and_code():
    modules = ["hopnhat.units.reference", "hopnhat.text.normalize"]
    assert table_cache.fingerprint(modules) == table_cache.fingerprint(modules)
    assert table_cache.fingerprint(modules) != table_cache.fingerprint(modules[:1])


# --- bulk conversion: endings cached, shares forked ----------------------------------------------------------------

def _endings() -> list[str]:
    ref = reference()
    rng = random.Random(5)
    communes = sorted((c for c in ref.communes["old"].values() if c.province_code in ("48", "49", "31")),
                      key=lambda c: c.code)
    out = []
    for c in rng.sample(communes, 40):
        d, p = ref.districts[c.district_code], ref.provinces["old"][c.province_code]
        out += [f"{c.name}, {d.name}, {p.name}", f"{c.name}, {p.name}", c.name, f"{c.name} - {d.name} - {p.name}",
                f"{c.name.upper()}, {d.name}", f"{c.name}, {d.name}, {p.name}, Việt Nam"]
    return out + ["Đà Nẵng", "Hải Phòng", "Quảng Nạm", "Quang Namm", "Hải Châu", "Thăng Bình, Quảng Nam",
                  "P. 1, Q. 3, TP HCM", "phường hải châu i, quận hải châu, đà nẵng", "Xã Ga i, Huyện Tây Giang",
                  "Thôn 3 - Xã Tịnh Đông - Huyện Sơn Tịnh - Tỉnh Quảng Ngãi", "Tổ 4 - Phường Lâm Viên - Đà Lạt",
                  # Thừa Thiên Huế as TT Huế in any letter case (each comma piece is prepared alone in bulk)
                  "P. Phú Hội, TP. Huế, tt Huế", "phu hoi, hue, tt hue", "Xã Hương Phú, Huyện Nam Đông, Tt. Huế"]


ENDINGS = _endings()
PREFIXES = ["", "Số 12 Lê Lợi", "Thôn 3", "K12/4 Trần Phú, Tổ 5", "Xã Hòa Tiến", "Đà Nẵng", "Huyện Hòa Vang",
            "12", "Quảng Nam", "Phường Hải Châu I", "ĐK", "T",
            # several commas before the ending: the raw-ending cache (dashes, T.P and type words in the prefix)
            "Số 5 - Thôn 2, Tổ 1", "Tổ 7, Khu phố 3 - Phường 2", "Khối 1, T.P Hội An", "Xã Hòa Tiến, Thôn 1, Số 2",
            "Thôn 4, Xã Bình Minh - Huyện Thăng Bình",
            # no word before the ending: read as if nothing came before it
            " ", ".", "- ", ", ,", "…", "_"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PREFIXES), st.sampled_from(ENDINGS), st.sampled_from([", ", ",", "; "])),
                min_size=1, max_size=40))
def test_bulk_with_shared_endings_equals_one_by_one(parts):
    """Addresses sharing endings in any order: each row is what the address alone converts to."""
    values = [f"{prefix}{sep}{ending}" if prefix else ending for prefix, ending, sep in parts]
    table = column.convert_column(values)
    got = list(zip(*(table.column(n).to_pylist() for n in bulk.RESULT_COLUMNS)))
    for value, row in zip(values, got):
        assert row == bulk._as_row(convert_address(value)), value


def test_raw_endings_answer_only_for_what_decided_them():
    """The same last three comma segments after different beginnings: each row is what the address alone gives,
    including endings whose reading needed more than those three segments (then the raw ending is not cached)."""
    ref = reference()
    tails = [f"{c.name}, {ref.districts[c.district_code].name}, {ref.provinces['old'][c.province_code].name}"
             for c in list(ref.communes["old"].values())[:30]]
    tails += ["Đà Nẵng, Việt Nam, 550000", "Thôn 3, Quang Namm, Việt Nam", "Hải Châu I, Hải Châu, Đà Nẵng"]
    values = [f"{prefix}, {tail}" for tail in tails for prefix in ("Số 1, Tổ 2", "Xã Hòa Tiến - Thôn 1, Số 2",
                                                                     "Phường 2, Tổ 9", "K1, T.P Hội An")]
    table = column.convert_column(values)
    got = list(zip(*(table.column(n).to_pylist() for n in bulk.RESULT_COLUMNS)))
    assert got == [bulk._as_row(convert_address(v)) for v in values]


def test_an_ending_read_alone_is_not_reused_after_other_words():
    """With nothing before it a lone province typo is not forgiven; after other words it is: the cached ending of a
    whole address must not answer for a longer one."""
    values = ["Quang Namm", "Thôn 3, Quang Namm"]
    table = column.convert_column(values)
    assert table.column("reason").to_pylist() == [convert_address(v).reason for v in values]
    assert "Quảng Nam" in table.column("reason").to_pylist()[1]


def test_the_pieces_before_a_raw_ending_are_not_prepared():
    """An address with a raw ending is read from its ending: its house number and street are not prepared (nor
    remembered), and its row is the one the address alone converts to, also when the ending needs what comes before
    it (then the address is read whole)."""
    from hopnhat.units import tokens

    suffixes = bulk._Suffixes()
    house = "Số 97 Ngõ Chưa Gặp Bao Giờ 4321"
    for value in [f"{house}, Xã Phú Lộc, Huyện Nho Quan, Tỉnh Ninh Bình",
                  f"{house} B, Thôn 3, Quang Namm, Việt Nam", f"{house} C, Đà Nẵng, Việt Nam, 550000"]:
        row, shared = suffixes.entry(value)
        assert row == bulk._as_row(convert_address(value)), value
        assert shared == (bulk.raw_ending(value) in suffixes.raw)
    assert house not in tokens._PIECES
    assert tokens._PIECES.get(" Xã Phú Lộc") is not None  # the ending's pieces are


def test_forked_shares_equal_one_process(monkeypatch):
    rng = random.Random(9)
    values = [f"{rng.choice(PREFIXES[1:5])} {i}, {rng.choice(ENDINGS)}" for i in range(3000)] + [None, "", 12]
    monkeypatch.setattr(bulk, "_PARALLEL_MIN", 10**9)
    one = bulk.convert_distinct(values)
    monkeypatch.setattr(bulk, "_PARALLEL_MIN", 100)
    monkeypatch.setattr(bulk, "_workers", lambda: 3)
    seen: list[int] = []
    forked = bulk.convert_distinct(values, progress=seen.append)
    assert forked == one
    assert sum(seen) == len(one)


def test_a_failed_child_share_is_converted_here(monkeypatch):
    """A forked child that cannot send its share back (here: pickling fails in it; in life, memory or a signal)
    exits without running the parent's code on, and this process converts that share itself: same answers, no
    child left behind."""
    import os
    import pickle

    rng = random.Random(5)
    values = [f"{rng.choice(PREFIXES[1:5])} {i}, {rng.choice(ENDINGS)}" for i in range(600)]
    monkeypatch.setattr(bulk, "_PARALLEL_MIN", 10**9)
    one = bulk.convert_distinct(values)
    monkeypatch.setattr(bulk, "_PARALLEL_MIN", 100)
    monkeypatch.setattr(bulk, "_workers", lambda: 3)
    monkeypatch.setattr(bulk, "_last_piece", lambda value: str(len(value) % 3))  # every process gets some

    def failing_dumps(*args, **kwargs):
        raise RuntimeError("no pickling in this child")

    monkeypatch.setattr(pickle, "dumps", failing_dumps)  # only the children pickle
    forked: list[int] = []
    real_fork = os.fork

    def recorded_fork() -> int:
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recorded_fork)
    parent = os.getpid()
    seen: list[int] = []
    assert bulk.convert_distinct(values, progress=seen.append) == one
    assert os.getpid() == parent and sum(seen) == len(one)
    assert len(forked) == 2
    for pid in forked:  # each child was waited for (not any child: a test worker may hold others, e.g. a server)
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_the_last_conversions_memos_are_kept():
    """The rows a conversion remembered are kept after it returns (freed at the next one, or left to the system at
    exit): a one-column process and its forked children do not free them entry by entry."""
    value = "Số 1, Xã Tiên Hải, Thành phố Phủ Lý, Tỉnh Hà Nam"
    bulk.convert_entries([value])
    assert bulk.raw_ending(value) in bulk._LAST[0].raw
    bulk.convert_entries(["Số 2, Phường Phước Ninh, Quận Hải Châu, Đà Nẵng"])
    assert len(bulk._LAST) == 1 and bulk.raw_ending(value) not in bulk._LAST[0].raw


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from([" ", ",", ";", "-", "a", "Đ", "\t", "\u00a0", "\u2003", "\x1c", "\u200b"]),
               max_size=12))
def test_last_piece_is_after_the_last_separator(value):
    last = max(value.rfind(","), value.rfind(";"), value.rfind("-"))
    assert bulk._last_piece(value) == value[last + 1 :].strip()


def test_forked_shares_use_the_split_evidence(monkeypatch):
    """The evidence reaches the forked children: a hamlet the province assigned decides there too."""
    from hopnhat.units.convert import SplitEvidence

    target = sorted(link.new_code for link in reference().links["20296"])[0]
    evidence = SplitEvidence(source="test")
    evidence.add("20296", "Thôn Phước Hưng", target)
    values = [f"Số {i}, Thôn Phước Hưng, Xã Hòa Liên, Huyện Hòa Vang, Đà Nẵng" for i in range(400)]
    values += [f"Số {i}, Thôn 9, Xã Hòa Liên, Huyện Hòa Vang, Đà Nẵng" for i in range(400)]
    monkeypatch.setattr(bulk, "_PARALLEL_MIN", 100)
    monkeypatch.setattr(bulk, "_workers", lambda: 2)
    monkeypatch.setattr(bulk, "_last_piece", lambda value: str(len(value)))  # both processes get some
    rows = bulk.convert_distinct(values, evidence)
    assert {rows[v][0] for v in values[:400]} == {"converted"} and {rows[v][2] for v in values[:400]} == {target}
    assert {rows[v][0] for v in values[400:]} == {"split"}


def test_communes_by_parent_equal_a_scan_of_the_table():
    ref = reference()
    for version in ("old", "new"):
        units = list(ref.communes[version].values())
        for p in ref.provinces[version]:
            assert ref.communes_in(version, p) == [u for u in units if u.province_code == p]
    for d in ref.districts.values():
        assert ref.communes_in("old", d.province_code, d.code) == [
            u for u in ref.communes["old"].values() if u.province_code == d.province_code and u.district_code == d.code]
    assert ref.communes_in("old", "99") == []


def test_frozen_memos_are_left_to_the_system_at_exit():
    """The parser's memos are not deallocated one by one when a process that froze them exits (their memory goes
    back to the system at once): a probe in the tokenizer's memo is never finalized then. Without a freeze they are
    collected at exit as before."""
    for freeze, finalized in ((True, ""), (False, "freed")):
        script = ("import gc, os\nfrom hopnhat.units import tokens\n"
                  "class Probe:\n    def __del__(self, write=os.write):\n        write(1, b'freed')\n"
                  "tokens._PIECES['probe'] = Probe()\n" + ("gc.freeze()\n" if freeze else ""))
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        assert (done.returncode, done.stdout) == (0, finalized), done.stderr[-2000:]


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from([" ", "\t", "\u00a0", "\u2003", "\u200b", "\n", "a", "Đ", ",", "\x1c"]),
               max_size=8))
def test_suffix_keys_strip_as_lstrip_does(segment):
    assert bulk._lstripped(segment) == segment.lstrip()


def test_communes_are_searched_without_the_memo():
    """The province and district pieces ending many addresses are remembered; a commune's piece seldom recurs
    without its whole ending (which the bulk converter remembers), so its search leaves nothing in the memo."""
    from hopnhat.units import parse
    from hopnhat.units.index import indexes

    idx = indexes()
    parse.parse("Xã Tân Phú Trung, Huyện Củ Chi, Thành phố Hồ Chí Minh", idx)
    memos = [memo for owner, memo in parse._memos if owner is idx]
    levels = {key[-4] for key in memos[0]}  # (the level comes fourth from the end of a key: see _find_key)
    assert {"province", "district"} <= levels and "commune" not in levels


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.booleans()), max_size=40))
def test_row_numbers_number_distinct_rows_in_order_of_appearance(picks):
    """Rows are numbered by value in order of first appearance, whether they repeat as the same object or as equal
    ones (the identity shortcut changes nothing)."""
    made = [("converted", str(i), "x", "", "") for i in range(6)]
    rows = [made[i] if same else tuple(list(made[i])) for i, same in picks]
    numbers: dict[bulk.Row, int] = {}
    expected = list(dict.fromkeys(rows))
    assert bulk.row_numbers(rows, numbers) == [expected.index(r) for r in rows]
    assert list(numbers) == expected
