"""Benchmark: old free-text addresses → new communes, hopnhat vs two registry converters, side by side in one run.

Run from the repository root (the ``bench`` extra of pyproject installs the peers)::

    .venv/bin/python bench/units.py [--n 10000] [--cli-n 100000] [--seed 7]

What it does
------------
1. Generates ``--n`` old free-text addresses with a fixed seed: old communes sampled uniformly from the six old
   provinces of our users (Đà Nẵng 48, Quảng Nam 49, Quảng Ngãi 51, Kon Tum 62, Hải Dương 30, Hải Phòng 31), each
   rendered by :func:`hopnhat.synth.addresses.render_address` in a style cycling over ``STYLES``, preceded by a house
   number, street and thôn/tổ (:func:`street_detail`).

   The truth of an address is what its text determines (:func:`readings`): the new communes of every unit the text
   can mean, from the reference tables alone. Usually that is the new commune(s) of the commune it was generated in
   (more than one: a split commune). But ``Xã Bình Minh`` with no district or province is every Xã Bình Minh of the
   country, ``XA TAM DAN, HUYEN PHU NINH`` (no diacritics) is Tam Dân and Tam Đàn, ``Thị trấn An Lão, Huyện An Lão``
   is in Hải Phòng and in Bình Định: the truth is then all of their new communes, like a split, and a tool that
   answers one of them with certainty is guessing. A name in use on 30/6/2025 is read before a former name (an
   alias). For the ``typo`` style, a slip that leaves the name no nearer to its own commune than to another of its
   district (edit distance on the letters as written, diacritics included, tone placement ignored) is drawn again
   (:func:`typo_recoverable`; the output counts them): the text then names another commune or none, and no tool can
   be right.
2. Converts the same addresses with

   * hopnhat's Python API (``hopnhat.units.column.convert_column``): cold (the process's tables, indexes and caches
     dropped and loaded again inside the timing) and warm;
   * hopnhat's CLI as a whole process (start-up included), ``hopnhat units convert IN.csv --column address
     --output OUT.csv``, on ``--cli-n`` addresses generated the same way with another seed, ``--cli-runs`` times
     (the median run is scored: a two-second process varies by a fifth between runs on a shared machine); its
     addresses/s is also compared with vietnamadminunits' (target ≥ 100×). The built tables are in the user cache
     by then (the first run after an install builds them: the one-time cost is measured apart on a 10-row file with
     an empty cache);
   * ``vietnamadminunits==1.0.4`` (``convert_address``), with the network blocked in this process (its geocoder,
     tried for split communes with a street, then raises: counted as a failure);
   * ``vietnam-address-converter==1.0.5`` (``create_converter().convert_address_text``); its codes are not the
     official ones, so its (province, ward) names are mapped to official new codes through ``name_key``.

   A peer runs on all ``--n`` addresses when that is projected to take < ``--peer-budget`` seconds (default 60);
   otherwise on the first 2,000 (the output says so).

Scoring (the same for every tool)
---------------------------------
* Truth with one code: *right* iff the tool answers with certainty that code; *wrong-certain* iff it answers with
  certainty another code; otherwise *abstained*.
* Truth with several codes (a split commune, or a text that can mean several units): *right* iff the tool does NOT
  answer with certainty and its candidate set equals the truth set exactly; *wrong-certain* iff it answers with
  certainty (a split, or a guess among namesakes, presented as certain is wrong); otherwise *abstained*.
* Exceptions are *failures* and count as abstained. hopnhat is certain iff status is converted or already_new;
  the peers are certain whenever they return a ward.

Prints a Rich table (and hopnhat's right % per style, and up to 20 of hopnhat's wrong-certain answers) and writes
``bench/out/units.json``. This is a script, not a test: it is outside the test run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import units_variants as variants  # bench/, beside this script
from rich.console import Console
from rich.table import Table

from hopnhat.synth.addresses import ABBREVIATIONS, STYLES, hamlets_of, render_address, street_detail
from hopnhat.text import normalize
from hopnhat.text.normalize import name_key
from hopnhat.units import index as units_index
from hopnhat.units.reference import Unit, reference, strip_type

PROVINCES = {"48": "Đà Nẵng", "49": "Quảng Nam", "51": "Quảng Ngãi", "62": "Kon Tum", "30": "Hải Dương",
             "31": "Hải Phòng"}
PEER_SUBSET = 2_000
CLI_SEED_OFFSET = 1_000
MAX_REDRAWS = 50
OUT = Path(__file__).resolve().parent / "out" / "units.json"
REALWORLD = Path(__file__).resolve().parent / "data" / "units_realworld.csv"
SPEED_N = 100_000
console = Console()
if not console.is_terminal:  # piped or redirected: keep the tables readable instead of folding them to 80 columns
    console = Console(width=180)


# --- data --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    address: str
    style: str
    old_code: str
    truth: frozenset[str]  # what the text determines: every new commune of every unit the text can mean
    real: frozenset[str]  # the new communes of the old commune the address was generated in


@dataclass(frozen=True)
class Written:
    """What a style writes of an address besides the commune name."""

    district: bool = True
    province: bool = True
    types: bool = True  # Xã / Phường / Huyện … (full or abbreviated)
    marks: bool = True  # diacritics


WRITTEN: dict[str, Written] = {
    "no_district": Written(district=False), "no_province": Written(province=False),
    "commune_only": Written(district=False, province=False), "no_types": Written(types=False),
    "no_diacritics": Written(marks=False), "upper_no_diacritics": Written(marks=False),
}


def _same_name(unit: Unit, target: Unit, written: Written) -> bool:
    """``unit`` bears ``target``'s name as the style writes it: the same letters; the same diacritics when they are
    written; the same type (Xã, Phường…) when it is written."""
    return name_key(unit.short_name) == name_key(target.short_name) \
        and (not written.marks or normalize.accent_key(unit.short_name) == normalize.accent_key(target.short_name)) \
        and (not written.types or unit.type == target.type)


def _formerly(unit: Unit, target: Unit, written: Written) -> bool:
    """``unit`` once bore ``target``'s name (an alias from an earlier round, kept as a folded key: the letters and,
    when written, the type)."""
    short = name_key(target.short_name)
    return (name_key(f"{target.type} {short}") if written.types else short) in unit.alias_keys


@cache
def _by_key() -> dict[str, list[Unit]]:
    """Every old district, old commune and new commune under the folded key of its short name and its aliases."""
    ref = reference()
    index: dict[str, list[Unit]] = defaultdict(list)
    for unit in (*ref.districts.values(), *ref.communes["old"].values(), *ref.communes["new"].values()):
        for key in {name_key(unit.short_name), *unit.alias_keys}:
            index[key].append(unit)
    return index


def _namesakes(target: Unit, written: Written, scope: Callable[[Unit], bool]) -> list[Unit]:
    """Units in scope that bear ``target``'s name as written; when none does, those that once bore it: a name in
    use on 30/6/2025 is read before a former name (whose diacritics the reference does not keep)."""
    index = _by_key()
    keys = {name_key(target.short_name), name_key(f"{target.type} {target.short_name}")}
    found = [u for u in {u.ref + u.level: u for k in keys for u in index.get(k, ())}.values()
             if u.level == target.level and scope(u)]
    return [u for u in found if _same_name(u, target, written)] or \
        [u for u in found if _formerly(u, target, written)]


@cache
def readings(commune: Unit, style: str) -> frozenset[str]:
    """The new communes an address of ``commune`` written in ``style`` can mean, from the reference tables alone.

    The province name written scopes the search to the old province of that name and, when it is also a new
    province's name (Đà Nẵng, Quảng Ngãi, Hải Phòng), to every old province merged into it and to that new
    province's communes; no province name means the whole country. A district name written makes the address old
    (3-tier): the commune is looked for in every district of that name in scope. Without a district, a new commune
    of that name is a reading too, unless the province named was abolished (Quảng Nam, Kon Tum, Hải Dương).
    ``Xã Bình Minh`` alone is therefore ambiguous among all its namesakes, and ``XA TAM DAN, HUYEN PHU NINH`` between
    Tam Dân and Tam Đàn.
    """
    ref = reference()
    written = WRITTEN.get(style, Written())
    old_scope, new_scope = set(ref.provinces["old"]), set(ref.provinces["new"]) if not written.district else set()
    if written.province:
        key = name_key(ref.provinces["old"][commune.province_code].short_name)
        new = {p.code for p in ref.provinces["new"].values() if name_key(p.short_name) == key}
        old_scope = {p.code for p in ref.provinces["old"].values() if name_key(p.short_name) == key}
        old_scope |= {o for o, n in ref.province_map.items() if n in new}
        new_scope = new if not written.district else set()
    districts: set[str] | None = None
    if written.district:
        districts = {d.code for d in _namesakes(ref.districts[commune.district_code], written,
                                                lambda d: d.province_code in old_scope)}

    def in_scope(u: Unit) -> bool:
        if u.version == "new":
            return u.province_code in new_scope
        return u.province_code in old_scope and (districts is None or u.district_code in districts)

    names = _namesakes(commune, written, in_scope)
    codes = {link.new_code for u in names if u.version == "old" for link in ref.links.get(u.code, ())}
    codes |= {u.code for u in names if u.version == "new"}
    return frozenset(codes)


def _edits(a: str, b: str) -> int:
    """Damerau–Levenshtein distance: insertions, deletions, substitutions and swaps of neighbours."""
    from rapidfuzz.distance import DamerauLevenshtein

    return DamerauLevenshtein.distance(a, b)


def _marked_keys(text: str) -> tuple[str, str]:
    """Letters as written, diacritics kept: tones where official names put them, and tones moved to the end of each
    word (so that where a tone sits, Muà/Mùa, does not count)."""
    words = normalize.official_tones(normalize.nfc(text).lower()).split()
    return "".join(c for c in "".join(words) if c.isalnum()), "".join(_toned(w) for w in words)


def _toned(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", "".join(c for c in word if c.isalnum()))
    tones = "".join(c for c in decomposed if c in normalize.TONE_MARKS)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in normalize.TONE_MARKS)) + tones


@cache
def _district_communes(district_code: str) -> tuple[Unit, ...]:
    return tuple(u for u in reference().communes["old"].values() if u.district_code == district_code)


def typo_recoverable(address: str, commune: Unit) -> bool:
    """A slip (style ``typo``) that leaves the commune as written nearer to its own name than to any other commune
    of its district (edit distance on the words as written, diacritics included: the style keeps them). Other slips
    turn the text into another commune's name or leave it halfway between two: the text then no longer says the
    commune of the record, and no converter can be right. The bench draws another slip for those (and counts them)."""
    written = _marked_keys(address.split(", ")[-3])

    def distance(unit: Unit) -> int:
        forms = (_marked_keys(unit.name), _marked_keys(f"{ABBREVIATIONS.get(unit.type, '')} {unit.short_name}"))
        return min(_edits(w, f) for form in forms for w, f in zip(written, form))

    own = distance(commune)
    return all(distance(u) > own for u in _district_communes(commune.district_code) if u.code != commune.code)


def generate(n: int, seed: int, redrawn: Counter | None = None) -> list[Case]:
    """``n`` old addresses (with streets) in the six provinces, styles cycling over STYLES; deterministic in seed.

    ``redrawn`` counts the typo slips drawn again because they were not recoverable (see :func:`typo_recoverable`).
    """
    ref = reference()
    communes = sorted((u for u in ref.communes["old"].values()
                       if u.province_code in PROVINCES and ref.links.get(u.code)), key=lambda u: u.code)
    rng = random.Random(seed)
    cases = []
    for i in range(n):
        commune: Unit = communes[int(rng.random() * len(communes))]
        style = STYLES[i % len(STYLES)]
        hamlets = hamlets_of(commune)
        detail = street_detail(rng, hamlets[int(rng.random() * len(hamlets))])
        real = frozenset(link.new_code for link in ref.links[commune.code])
        address = render_address(commune, style, rng, detail)
        for _ in range(MAX_REDRAWS):
            if style != "typo" or typo_recoverable(address, commune):
                break
            if redrawn is not None:
                redrawn["typo"] += 1
            address = render_address(commune, style, rng, detail)
        else:
            raise RuntimeError(f"no recoverable slip in {MAX_REDRAWS} draws for {commune.name} ({commune.code})")
        truth = real if style == "typo" else readings(commune, style)
        cases.append(Case(address, style, commune.code, truth, real))
    return cases


# --- scoring -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    certain: bool
    code: str | None = None
    candidates: frozenset[str] = frozenset()
    failed: bool = False
    detail: str = ""  # status / reason, for the wrong-certain listing


def verdict(truth: frozenset[str], answer: Answer) -> str:
    """'right', 'wrong' (wrong answer presented as certain) or 'abstained'."""
    if len(truth) == 1:
        if answer.certain:
            return "right" if answer.code in truth else "wrong"
        return "abstained"
    if answer.certain:
        return "wrong"
    return "right" if answer.candidates == truth else "abstained"


@dataclass
class Result:
    tool: str
    n: int
    seconds: float
    setup_seconds: float = 0.0
    note: str = ""
    counts: Counter = field(default_factory=Counter)
    failures: int = 0
    by_style: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    wrong: list[dict] = field(default_factory=list)
    failure_kinds: Counter = field(default_factory=Counter)
    runs_seconds: list[float] = field(default_factory=list)
    cpu_seconds: float = 0.0  # user + system CPU (the CLI's process and its children; the peer's conversions)
    runs_cpu_seconds: list[float] = field(default_factory=list)
    alternate: dict = field(default_factory=dict)  # --alternate: the other build's runs, and whether outputs agree

    @property
    def per_second(self) -> float:
        return self.n / self.seconds if self.seconds else float("inf")

    @property
    def per_cpu_second(self) -> float:
        return self.n / self.cpu_seconds if self.cpu_seconds else float("inf")

    def pct(self, what: str) -> float:
        return 100.0 * self.counts[what] / self.n if self.n else 0.0

    def summary(self) -> dict:
        return {
            "tool": self.tool, "n": self.n, "seconds": round(self.seconds, 3),
            "setup_seconds": round(self.setup_seconds, 3), "addresses_per_second": round(self.per_second, 1),
            "runs_seconds": self.runs_seconds, "cpu_seconds": round(self.cpu_seconds, 3),
            "runs_cpu_seconds": self.runs_cpu_seconds, "alternate": self.alternate,
            "addresses_per_cpu_second": round(self.per_cpu_second, 1),
            "right_pct": round(self.pct("right"), 3), "wrong_certain": self.counts["wrong"],
            "abstained_pct": round(self.pct("abstained"), 3), "failures": self.failures, "note": self.note,
            "right_pct_by_style": {s: round(100.0 * c["right"] / sum(c.values()), 2) for s, c in self.by_style.items()},
            "failure_kinds": dict(self.failure_kinds), "wrong_certain_examples": self.wrong[:50],
        }


def score(tool: str, cases: list[Case], answers: list[Answer], seconds: float, **extra) -> Result:
    result = Result(tool, len(answers), seconds, **extra)
    for case, answer in zip(cases, answers):
        v = verdict(case.truth, answer)
        result.counts[v] += 1
        if answer.failed:
            result.failures += 1
            result.failure_kinds[answer.detail.split(":")[0]] += 1
        result.by_style[case.style][v] += 1
        if v == "wrong":
            result.wrong.append({"address": case.address, "style": case.style, "old_code": case.old_code,
                                 "old_name": reference().communes["old"][case.old_code].name,
                                 "truth": ";".join(sorted(case.truth)), "answer": answer.code or "",
                                 "candidates": ";".join(sorted(answer.candidates)), "reason": answer.detail})
    return result


# --- hopnhat -----------------------------------------------------------------------------------------------------

CERTAIN = ("converted", "already_new")


def _hopnhat_answer(status: str | None, code: str | None, candidates: str | None, reason: str | None) -> Answer:
    cands = frozenset(c for c in (candidates or "").split(";") if c)
    return Answer(status in CERTAIN, code or None, cands, detail=f"{status}: {reason or ''}")


def _clear_hopnhat_caches() -> None:
    """Forget the tables, the indexes, the parser's remembered matches and the text-key caches of this process, so
    that the next conversion starts cold (the tables are then read again from the local cache file, as a new process
    does: see hopnhat.units.cache)."""
    from hopnhat.units import cache as table_cache
    from hopnhat.units import fuzzy, parse
    from hopnhat.units import reference as reference_module

    table_cache.forget()
    parse._memos.clear()
    parse._KEYS.clear()
    parse._TYPED_KEYS.clear()
    fuzzy._FORMS.clear()
    for memo in ("_NAME_KEYS", "_ACCENT_KEYS"):  # absent from builds before issue 14's third speed round
        getattr(units_index, memo, {}).clear()
    for module in (normalize, units_index, reference_module, fuzzy):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", "") == module.__name__:
                value.cache_clear()


def run_hopnhat_api(cases: list[Case]) -> tuple[Result, Result]:
    from hopnhat.units.column import convert_column

    values = [c.address for c in cases]
    out = []
    for label in ("cold", "warm"):
        if label == "cold":
            _clear_hopnhat_caches()
        start = time.perf_counter()
        table = convert_column(values)
        seconds = time.perf_counter() - start
        cols = [table.column(name).to_pylist()
                for name in ("status", "new_commune_code", "candidates", "reason")]
        answers = [_hopnhat_answer(*row) for row in zip(*cols)]
        note = "tables loaded, caches cold" if label == "cold" else "same process, caches warm"
        out.append(score(f"hopnhat API ({label})", cases, answers, seconds, note=note))
    return out[0], out[1]


ALTERNATE: Path | None = None  # --alternate: another build's checkout, run by the CLI in turn with this one


def _cli_env(alternate: bool) -> dict[str, str] | None:
    """The environment of the CLI of the alternate build: its ``src`` first on the path, its own table cache (the
    two builds' tables have different fingerprints, and each process drops the other's file from a shared cache)."""
    if not alternate or ALTERNATE is None:
        return None
    path = os.pathsep.join(filter(None, [str(ALTERNATE / "src"), os.environ.get("PYTHONPATH", "")]))
    return {**os.environ, "PYTHONPATH": path, "HOPNHAT_CACHE_DIR": str(ALTERNATE / "cache")}


def _cli(src: Path, dst: Path, alternate: bool = False) -> tuple[float, float]:
    """One run of ``hopnhat units convert`` (this build or the alternate): wall and CPU seconds."""
    exe = Path(sys.executable).parent / "hopnhat"
    cmd = [str(exe), "units", "convert", str(src), "--column", "address", "--output", str(dst)]
    start, cpu_start = time.perf_counter(), _children_cpu()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_cli_env(alternate))
    seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu_start
    if proc.returncode != 0:
        raise SystemExit(f"hopnhat CLI {'(alternate build) ' if alternate else ''}failed ({proc.returncode}):\n"
                         f"{proc.stderr[-3000:]}")
    return seconds, cpu


def _write_cases(path: Path, addresses: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "address"])
        writer.writerows(enumerate(addresses))


def warm_alternate() -> None:
    """Both builds convert a few rows once, so that each has its tables in its cache before any timed run; says
    where the alternate build's parser is loaded from."""
    if ALTERNATE is None:
        return
    where = subprocess.run([sys.executable, "-c", "import hopnhat.units.parse as p; print(p.__file__)"],
                           capture_output=True, text=True, check=True, env=_cli_env(True)).stdout.strip()
    if not where.startswith(str(ALTERNATE)):
        raise SystemExit(f"--alternate {ALTERNATE}: its parser is not the one loaded ({where})")
    console.print(f"alternate build: {where}")
    with tempfile.TemporaryDirectory(prefix="hopnhat-bench-") as tmp:
        _write_cases(Path(tmp) / "in.csv", ["Phường Phước Ninh, Quận Hải Châu, Đà Nẵng"] * 3)
        for alternate in (False, True):
            _cli(Path(tmp) / "in.csv", Path(tmp) / "out.csv", alternate)


def identical_outputs(label: str, addresses: list[str]) -> bool:
    """The CLI's output of this build and of the alternate, byte for byte, on these addresses (printed)."""
    with tempfile.TemporaryDirectory(prefix="hopnhat-bench-") as tmp:
        src = Path(tmp) / "in.csv"
        _write_cases(src, addresses)
        outputs = []
        for alternate in (False, True):
            _cli(src, Path(tmp) / f"out{int(alternate)}.csv", alternate)
            outputs.append((Path(tmp) / f"out{int(alternate)}.csv").read_bytes())
    same = outputs[0] == outputs[1]
    lines = [o.splitlines() for o in outputs]
    differing = sum(a != b for a, b in zip(*lines)) + abs(len(lines[0]) - len(lines[1]))
    console.print(f"{label}: CLI output of this build and the alternate "
                  + ("[green]byte-identical[/]" if same else f"[red]DIFFERENT[/] ({differing:,} lines differ)")
                  + f" on {len(addresses):,} addresses")
    return same


def run_hopnhat_cli(cases: list[Case], runs: int = 3) -> Result:
    """The CLI as a whole process, ``runs`` times on the same file: the median run is scored (a two-second process
    on a shared machine varies by a fifth from one run to the next; every run is listed in the note). With
    ``--alternate`` the other build runs in turn with this one (this one first in even runs, second in odd ones),
    its times kept in ``alternate``, and every output of both builds is compared byte for byte."""
    exe = Path(sys.executable).parent / "hopnhat"
    builds = (False, True) if ALTERNATE is not None else (False,)
    with tempfile.TemporaryDirectory(prefix="hopnhat-bench-") as tmp:
        src, dst = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        _write_cases(src, [c.address for c in cases])
        start = time.perf_counter()
        subprocess.run([str(exe), "units", "convert", "--help"], capture_output=True, check=True)
        startup = time.perf_counter() - start
        timings: dict[bool, list[float]] = {b: [] for b in builds}
        cpu: dict[bool, list[float]] = {b: [] for b in builds}
        first: bytes | None = None
        identical = True
        for i in range(max(runs, 1)):
            for alternate in (builds if i % 2 == 0 else builds[::-1]):
                out = Path(tmp) / f"out{int(alternate)}.csv"
                seconds, used = _cli(src, out, alternate)
                timings[alternate].append(seconds)
                cpu[alternate].append(used)
                data = out.read_bytes()
                first = data if first is None else first
                identical = identical and data == first
        (Path(tmp) / "out0.csv").replace(dst)
        seconds = statistics.median(timings[False])
        answers: list[Answer | None] = [None] * len(cases)
        with dst.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                answers[int(row["id"])] = _hopnhat_answer(row["status"], row["new_commune_code"], row["candidates"],
                                                          row["reason"])
    missing = sum(a is None for a in answers)
    filled = [a or Answer(False, failed=True, detail="row missing from output") for a in answers]
    note = (f"whole process: start-up, read + write CSV; median of {len(timings[False])} runs "
            f"({', '.join(f'{t:.2f}' for t in timings[False])} s)" + (f"; {missing} rows missing" if missing else ""))
    alternate_summary = {} if ALTERNATE is None else {
        "build": str(ALTERNATE), "runs_seconds": [round(t, 3) for t in timings[True]],
        "runs_cpu_seconds": [round(t, 3) for t in cpu[True]], "seconds": round(statistics.median(timings[True]), 3),
        "cpu_seconds": round(statistics.median(cpu[True]), 3), "outputs_identical": identical}
    return score("hopnhat CLI (process)", cases, filled, seconds, setup_seconds=startup, note=note,
                 runs_seconds=[round(t, 3) for t in timings[False]], cpu_seconds=statistics.median(cpu[False]),
                 runs_cpu_seconds=[round(t, 3) for t in cpu[False]], alternate=alternate_summary)


def _children_cpu() -> float:
    """User + system CPU of the finished child processes (the CLI and the converters it forks)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cli_first_run_seconds(cases: list[Case]) -> float:
    """The CLI on a few rows with an empty table cache: what the first run after an install costs."""
    exe = Path(sys.executable).parent / "hopnhat"
    with tempfile.TemporaryDirectory(prefix="hopnhat-bench-") as tmp:
        src = Path(tmp) / "in.csv"
        with src.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([("id", "address"), *((i, c.address) for i, c in enumerate(cases))])
        env = {**os.environ, "HOPNHAT_CACHE_DIR": str(Path(tmp) / "cache")}
        start = time.perf_counter()
        subprocess.run([str(exe), "units", "convert", str(src), "--column", "address", "--output",
                        str(Path(tmp) / "out.csv")], capture_output=True, check=True, env=env)
        return time.perf_counter() - start


# --- peers -------------------------------------------------------------------------------------------------------

def block_network() -> None:
    """No peer may reach the network from this process (vietnamadminunits geocodes split communes online)."""
    def refuse(*_args, **_kwargs):
        raise OSError("network blocked by bench")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse  # type: ignore[assignment]


def run_peer(tool: str, cases: list[Case], convert, setup_seconds: float, budget: float) -> Result:
    """Convert the first PEER_SUBSET addresses; go on with the rest only if the whole set fits the time budget."""
    answers: list[Answer] = []
    start, cpu_start = time.perf_counter(), time.process_time()
    for i, case in enumerate(cases):
        if i == PEER_SUBSET and len(cases) > PEER_SUBSET:
            projected = (time.perf_counter() - start) * len(cases) / PEER_SUBSET
            if projected >= budget:
                seconds = time.perf_counter() - start
                note = (f"SUBSET: first {PEER_SUBSET:,} of {len(cases):,} (full set projected {projected:.0f} s "
                        f"≥ {budget:.0f} s)")
                return score(tool, cases[:PEER_SUBSET], answers, seconds, setup_seconds=setup_seconds, note=note,
                             cpu_seconds=time.process_time() - cpu_start)
        try:
            answers.append(convert(case.address))
        except Exception as exc:  # noqa: BLE001 - a peer's exception is a failure, counted as abstained
            answers.append(Answer(False, failed=True, detail=f"{type(exc).__name__}: {exc}"[:200]))
    seconds = time.perf_counter() - start
    return score(tool, cases, answers, seconds, setup_seconds=setup_seconds, note="full set",
                 cpu_seconds=time.process_time() - cpu_start)


def vietnamadminunits_converter():
    start = time.perf_counter()
    from vietnamadminunits import convert_address

    convert_address("Phường Phúc Xá, Quận Ba Đình, Thành phố Hà Nội")  # load its data outside the timing
    setup = time.perf_counter() - start

    def convert(text: str) -> Answer:
        unit = convert_address(text)
        code = getattr(unit, "ward_code", None)
        if code:
            return Answer(True, str(code), detail=f"{unit.ward}, {unit.province}")
        return Answer(False, detail="no ward")

    return convert, setup


def vietnam_address_converter():
    start = time.perf_counter()
    from vietnam_address_converter import create_converter

    converter = create_converter()
    setup = time.perf_counter() - start
    ref = reference()
    provinces: dict[str, str] = {}
    for unit in ref.provinces["new"].values():
        provinces[name_key(unit.name)] = unit.code
        provinces.setdefault(name_key(strip_type(unit.name)), unit.code)
    wards: dict[tuple[str, str], str | None] = {}
    for unit in ref.communes["new"].values():
        wards[(unit.province_code, name_key(unit.name))] = unit.code
        short = (unit.province_code, "short:" + name_key(strip_type(unit.name)))
        wards[short] = None if short in wards else unit.code  # a short name shared by two types is no match

    def to_official(province: dict, ward: dict) -> str | None:
        prov = provinces.get(name_key(province.get("name_with_type") or "")) or \
            provinces.get(name_key(province.get("name") or ""))
        if prov is None:
            return None
        return wards.get((prov, name_key(ward.get("name_with_type") or ""))) or \
            wards.get((prov, "short:" + name_key(ward.get("name") or "")))

    def convert(text: str) -> Answer:
        r = converter.convert_address_text(text)
        status = (r.get("conversion") or {}).get("status")
        converted = r.get("converted") or {}
        ward = converted.get("ward")
        if not ward:
            return Answer(False, detail=f"{status}: no ward")
        code = to_official(converted.get("province") or {}, ward)
        if code is None:
            return Answer(False, detail=f"{status}: unmapped {ward.get('name_with_type')}")
        return Answer(True, code, detail=f"{status}: {ward.get('path_with_type')}")

    return convert, setup


# --- the real-world list (independent of hopnhat.synth) ----------------------------------------------------------

@dataclass(frozen=True)
class RealCase:
    address: str
    style: str
    truth: frozenset[str]
    classes: tuple[str, ...]
    province: str
    old_code: str  # the commune of 30/6/2025 the triple's commune is (or went into)


def _new_commune_keys() -> set[tuple[str, str]]:
    """(new province, short name as written without diacritics or type) of every new commune."""
    ref = reference()
    return {(u.province_code, name_key(u.short_name)) for u in ref.communes["new"].values()}


def realworld_cases(seed: int, prefix: bool = True, rows: list[dict[str, str]] | None = None,
                    n: int | None = None) -> list[RealCase]:
    """Every triple of bench/data/units_realworld.csv in every style of bench/units_variants.py (or ``n`` draws of
    a triple and a style), with the truth column the style calls for. Classes: the levels written with a former
    name; ``bracket_types``; ``bare_number`` (a numbered ward or district without its type word);
    ``old_district_new_commune`` (the district written was abolished or renamed before 2025, and a new commune of its
    province bears its name)."""
    rows = rows if rows is not None else _realworld_rows()
    ref = reference()
    new_keys = _new_commune_keys()
    rng = random.Random(seed)
    pairs = [(r, st) for r in rows for st in variants.STYLES] if n is None else \
        [(rows[int(rng.random() * len(rows))], variants.STYLES[i % len(variants.STYLES)]) for i in range(n)]
    out = []
    for row, style in pairs:
        address = variants.write(row["commune"], row["district"], row["province"], style, rng, prefix)
        classes = [f"former_{level}" for level in row["former"].split(";") if level] or ["current_names"]
        if style.name.startswith("bracket"):
            classes.append("bracket_types")
        if not style.types and (variants.split_type(row["commune"])[1].isdigit()
                                or variants.split_type(row["district"])[1].isdigit()):
            classes.append("bare_number")
        new_province = ref.province_map.get(_old_province_of(row["code_2025"]))
        if "district" in row["former"].split(";") and \
                (new_province, name_key(variants.split_type(row["district"])[1])) in new_keys:
            classes.append("old_district_new_commune")
        truth = frozenset(c for c in row[variants.truth_column(style)].split(";") if c)
        out.append(RealCase(address, style.name, truth, tuple(classes), row["province"], row["code_2025"]))
    return out


def _old_province_of(old_code: str) -> str:
    return reference().communes["old"][old_code].province_code


@cache
def _realworld_rows_cached() -> tuple[dict[str, str], ...]:
    with REALWORLD.open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def _realworld_rows() -> list[dict[str, str]]:
    return list(_realworld_rows_cached())


@dataclass
class ClassScore:
    counts: Counter = field(default_factory=Counter)
    wrong: list[dict] = field(default_factory=list)


def score_real(cases: list[RealCase], answers: list[Answer]) -> dict[str, ClassScore]:
    """Right / wrong-certain / abstained per class and per style (and ``all``)."""
    scores: dict[str, ClassScore] = defaultdict(ClassScore)
    for case, answer in zip(cases, answers):
        v = verdict(case.truth, answer)
        for key in ("all", *case.classes, f"style:{case.style}"):
            scores[key].counts[v] += 1
            if v == "wrong" and len(scores[key].wrong) < 20:
                scores[key].wrong.append({"address": case.address, "truth": ";".join(sorted(case.truth)),
                                          "answer": answer.code or "", "reason": answer.detail})
    return scores


def run_realworld(seed: int) -> tuple[dict[str, ClassScore], int, float]:
    from hopnhat.units.column import convert_column

    cases = realworld_cases(seed)
    start = time.perf_counter()
    table = convert_column([c.address for c in cases])
    seconds = time.perf_counter() - start
    cols = [table.column(name).to_pylist() for name in ("status", "new_commune_code", "candidates", "reason")]
    return score_real(cases, [_hopnhat_answer(*row) for row in zip(*cols)]), len(cases), seconds


def run_speed_set(label: str, cases: list[RealCase], runs: int, peer_n: int) -> dict:
    """hopnhat's CLI as a whole process on ``cases`` (median of ``runs``) against vietnamadminunits on the first
    ``peer_n`` of the same addresses; both scored on the truth."""
    as_cases = [Case(c.address, c.style, c.old_code, c.truth, c.truth) for c in cases]
    cli = run_hopnhat_cli(as_cases, runs)
    convert, setup = vietnamadminunits_converter()
    vau = run_peer("vietnamadminunits 1.0.4", as_cases[:peer_n], convert, setup, float("inf"))
    out = {"set": label, "n": len(cases), "cli": cli.summary(), "vietnamadminunits": vau.summary(),
           "ratio": round(cli.per_second / vau.per_second, 1),
           "cpu_ratio": round(cli.per_cpu_second / vau.per_cpu_second, 1)}
    if cli.alternate:
        out["alternate_ratio"] = round(len(cases) / cli.alternate["seconds"] / vau.per_second, 1)
        out["alternate_cpu_ratio"] = round(len(cases) / cli.alternate["cpu_seconds"] / vau.per_cpu_second, 1)
    return out


def print_realworld(scores: dict[str, ClassScore], n: int, seconds: float, speed: list[dict]) -> None:
    table = Table(title=f"Real-world list (bench/data/units_realworld.csv × {len(variants.STYLES)} styles = {n:,} "
                        f"addresses, {n / seconds:,.0f} addr/s through the API)")
    for col in ("class", "addresses", "right %", "wrong-certain", "abstained %"):
        table.add_column(col, justify="left" if col == "class" else "right")
    for key in sorted(scores, key=lambda k: (k != "all", k.startswith("style:"), k)):
        c = scores[key].counts
        total = sum(c.values())
        table.add_row(key, f"{total:,}", f"{100 * c['right'] / total:.3f}", str(c["wrong"]),
                      f"{100 * c['abstained'] / total:.3f}")
    console.print(table)
    for s in speed:
        console.print(f"[bold]{s['set']}[/]: CLI {s['cli']['addresses_per_second']:,.0f} addr/s "
                      f"(right {s['cli']['right_pct']:.2f} %, wrong-certain {s['cli']['wrong_certain']}; runs "
                      f"{s['cli']['runs_seconds']} s) vs vietnamadminunits "
                      f"{s['vietnamadminunits']['addresses_per_second']:,.0f} addr/s on its first "
                      f"{s['vietnamadminunits']['n']:,}: [bold]{s['ratio']}×[/] "
                      f"({'met' if s['ratio'] >= 100 else 'NOT met'}: target ≥ 100×); per CPU second "
                      f"{s['cpu_ratio']}× (CLI {s['cli']['cpu_seconds']} s CPU on two cores; runs "
                      f"{s['cli']['runs_cpu_seconds']} CPU s)")
        alt = s["cli"]["alternate"]
        if alt:
            console.print(f"  alternate build: {s['n'] / alt['seconds']:,.0f} addr/s, "
                          f"[bold]{s['alternate_ratio']}×[/], "
                          f"per CPU second {s['alternate_cpu_ratio']}× (runs {alt['runs_seconds']} s, "
                          f"{alt['runs_cpu_seconds']} CPU s); outputs of every run "
                          + ("[green]byte-identical[/]" if alt["outputs_identical"] else "[red]DIFFERENT[/]"))


# --- output ------------------------------------------------------------------------------------------------------

def print_tables(results: list[Result], cli: Result, vau: Result | None, n_splits: int) -> None:
    table = Table(title="Old → new commune conversion (six provinces, with streets)",
                  caption="setup s: peers' import + data load (outside 'seconds'); for the CLI, the start-up of "
                          "`hopnhat units convert --help` (already inside 'seconds')")
    for col, justify in (("tool", "left"), ("addresses", "right"), ("setup s", "right"), ("seconds", "right"),
                         ("addr/s", "right"), ("right %", "right"), ("wrong-certain", "right"),
                         ("abstained %", "right"), ("failures", "right"), ("note", "left")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in results:
        table.add_row(r.tool, f"{r.n:,}", f"{r.setup_seconds:.2f}", f"{r.seconds:.2f}", f"{r.per_second:,.0f}",
                      f"{r.pct('right'):.2f}", str(r.counts["wrong"]), f"{r.pct('abstained'):.2f}", str(r.failures),
                      r.note)
    console.print(table)
    console.print(f"split communes among the addresses: {n_splits:,}")
    if vau is not None:
        ratio = cli.per_second / vau.per_second
        mark = "[green]met[/]" if ratio >= 100 else "[red]NOT met[/]"
        console.print(f"hopnhat CLI {cli.per_second:,.0f} addr/s vs vietnamadminunits {vau.per_second:,.0f} addr/s: "
                      f"[bold]{ratio:,.0f}×[/] (target ≥ 100×: {mark}); per CPU second "
                      f"{cli.per_cpu_second / vau.per_cpu_second:,.0f}× (CLI {cli.cpu_seconds:.2f} s CPU)")

    styles = Table(title="Right % per style")
    styles.add_column("style")
    for r in results:
        styles.add_column(r.tool, justify="right")
    for style in STYLES:
        cells = []
        for r in results:
            c = r.by_style.get(style)
            cells.append(f"{100.0 * c['right'] / sum(c.values()):.2f}" if c else "–")
        styles.add_row(style, *cells)
    console.print(styles)

    for r in results:
        if r.tool.startswith("hopnhat") and r.wrong:
            wrong = Table(title=f"{r.tool}: wrong answers presented as certain (first 20 of {len(r.wrong)})")
            for col in ("address", "truth", "answer", "reason"):
                wrong.add_column(col, overflow="fold")
            for w in r.wrong[:20]:
                wrong.add_row(w["address"], f"{w['truth']} (old {w['old_code']} {w['old_name']})", w["answer"],
                              w["reason"])
            console.print(wrong)


def _compiled_parser() -> bool:
    """Whether hopnhat's parser runs as the extension modules setup.py builds (else as plain Python)."""
    import hopnhat.units.parse

    return not (hopnhat.units.parse.__file__ or "").endswith(".py")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000, help="addresses for the side-by-side run (default 10000)")
    ap.add_argument("--cli-n", type=int, default=100_000, help="addresses for the CLI whole-process run")
    ap.add_argument("--cli-runs", type=int, default=3,
                    help="CLI runs on the same file; the median is scored (default 3)")
    ap.add_argument("--seed", type=int, default=7, help="random seed (the CLI set uses seed + 1000)")
    ap.add_argument("--peer-budget", type=float, default=60.0,
                    help="seconds a peer may take on the full set, else it runs on the first 2000 (default 60)")
    ap.add_argument("--output", type=Path, default=OUT, help=f"JSON result file (default {OUT})")
    ap.add_argument("--speed-n", type=int, default=SPEED_N,
                    help="addresses of each real-world speed set: one province's, and the whole country's")
    ap.add_argument("--speed-province", default="79", help="old province code of the one-province set (default 79)")
    ap.add_argument("--peer-n", type=int, default=PEER_SUBSET,
                    help="addresses of each speed set that vietnamadminunits converts (default 2000)")
    ap.add_argument("--no-synth", action="store_true", help="skip the generated (hopnhat.synth) part")
    ap.add_argument("--alternate", type=Path, default=None,
                    help="another build's checkout (its src/ with its compiled modules): its CLI runs in turn with\n"
                         "this one on every CLI set, and the outputs of the two are compared byte for byte\n"
                         "(also on the real-world list in every style)")
    args = ap.parse_args(argv)
    global ALTERNATE
    ALTERNATE = args.alternate.resolve() if args.alternate else None
    warm_alternate()

    block_network()
    compiled = _compiled_parser()
    console.print(f"hopnhat's parser: {'compiled (Cython, setup.py)' if compiled else 'plain Python (not compiled)'}")
    console.print(f"load average at the start: {os.getloadavg()}")
    real_scores, real_n, real_seconds = run_realworld(args.seed)
    rows = _realworld_rows()
    province_rows = [r for r in rows if _old_province_of(r["code_2025"]) == args.speed_province]
    speed = [run_speed_set(f"one province ({args.speed_province}: {len(province_rows)} triples)",
                           realworld_cases(args.seed + 1, rows=province_rows, n=args.speed_n), args.cli_runs,
                           args.peer_n),
             run_speed_set(f"whole country ({len(rows)} triples)", realworld_cases(args.seed + 2, n=args.speed_n),
                           args.cli_runs, args.peer_n)]
    print_realworld(real_scores, real_n, real_seconds, speed)
    same_realworld = None if ALTERNATE is None else \
        identical_outputs("real-world list, every style", [c.address for c in realworld_cases(args.seed)])
    realworld = {"addresses": real_n, "api_seconds": round(real_seconds, 3), "speed": speed,
                 "by_class": {k: {"n": sum(v.counts.values()), **dict(v.counts), "wrong_examples": v.wrong}
                              for k, v in real_scores.items()},
                 "alternate_outputs_identical": same_realworld}
    if args.no_synth:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps({"command": " ".join([Path(sys.executable).name, *sys.argv]),
                                           "realworld": realworld, "compiled_parser": compiled,
                                           "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
                                          ensure_ascii=False, indent=2), encoding="utf-8")
        console.print(f"wrote {args.output}")
        return 0
    start = time.perf_counter()
    redrawn: Counter = Counter()
    cases = generate(args.n, args.seed, redrawn)
    cli_cases = generate(args.cli_n, args.seed + CLI_SEED_OFFSET)
    console.print(f"generated {len(cases):,} + {len(cli_cases):,} addresses in {time.perf_counter() - start:.1f} s "
                  f"(seed {args.seed}); e.g. {cases[0].address!r}")
    text_ambiguous = sum(c.truth != c.real for c in cases)
    console.print(f"addresses whose text means more than their commune (namesakes, no diacritics): "
                  f"{text_ambiguous:,}; typo slips drawn again (not recoverable): {redrawn['typo']:,}")

    with console.status("hopnhat Python API…"):
        api_cold, api_warm = run_hopnhat_api(cases)
    with console.status(f"hopnhat CLI on {len(cli_cases):,} addresses…"):
        cli = run_hopnhat_cli(cli_cases, args.cli_runs)
        first_run = cli_first_run_seconds(cli_cases[:10])
    console.print(f"hopnhat CLI on 10 rows with an empty table cache (first run after an install): {first_run:.2f} s")
    if cli.alternate:
        console.print(f"alternate build on the generated {len(cli_cases):,}: runs {cli.alternate['runs_seconds']} s, "
                      f"{cli.alternate['runs_cpu_seconds']} CPU s (this build: {cli.runs_seconds} s, "
                      f"{cli.runs_cpu_seconds} CPU s); outputs "
                      + ("[green]byte-identical[/]" if cli.alternate["outputs_identical"] else "[red]DIFFERENT[/]"))
    results = [api_cold, api_warm, cli]
    with console.status("vietnamadminunits 1.0.4…"):
        convert, setup = vietnamadminunits_converter()
        vau = run_peer("vietnamadminunits 1.0.4", cases, convert, setup, args.peer_budget)
    with console.status("vietnam-address-converter 1.0.5…"):
        convert, setup = vietnam_address_converter()
        vac = run_peer("vietnam-address-converter 1.0.5", cases, convert, setup, args.peer_budget)
    results += [vau, vac]

    n_splits = sum(len(c.truth) > 1 for c in cases)
    print_tables(results, cli, vau, n_splits)

    payload = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "n": args.n, "cli_n": args.cli_n, "seed": args.seed, "provinces": PROVINCES, "styles": list(STYLES),
        "split_addresses": n_splits, "text_ambiguous_addresses": text_ambiguous,
        "typo_slips_redrawn": redrawn["typo"], "cli_first_run_10_rows_seconds": round(first_run, 3),
        "python": platform.python_version(), "machine": platform.platform(), "cli_runs": args.cli_runs,
        "compiled_parser": compiled,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "cli_vs_vietnamadminunits_speed": round(cli.per_second / vau.per_second, 1),
        "cli_vs_vietnamadminunits_cpu_speed": round(cli.per_cpu_second / vau.per_cpu_second, 1),
        "results": [r.summary() for r in results],
        "realworld": realworld,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    console.print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
