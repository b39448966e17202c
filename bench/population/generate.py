"""An independent population of two merging provinces (Quảng Nam + Đà Nẵng) in five registers, with known truth.

Written for ``bench/link.py`` apart from ``hopnhat.synth`` (no code, table or noise model shared), from public
descriptions of how Vietnamese civil-status and sector registers go wrong. Only the admin-unit names come from the
project's reference tables (official public data: the old and new communes).

People
    Born 1935–2024; family / middle / given names from :mod:`names`; a CCCD (``0`` + province of birth
    registration + century/sex digit + two year digits + six serial digits), an old 9-digit CMND for adults born
    before 2000 (most), a phone for most adults. They live in **households** (1–6 people sharing an address, the
    father's family name and often one phone: siblings carry the household phone), with **twins** (same date, often
    a near given name) and **namesakes** (another person with the same full name, sex and birth date in another
    commune, own CCCD).
Registers (record shares per person ≈ 1.43)
    ``qn_dancu`` / ``dn_dancu`` (population registers of the two old provinces, everyone once at home, a few also in
    the other after a move), ``tthc`` (procedures), ``bhxh`` (social insurance, workers), ``dat_dai`` (land, adults,
    old CMND, year-only births). Each register has its own style (date format, case, diacritics, address in old or
    new units).
Noises (several on one record: 0–3 on each non-home record, few on the home record), recorded per row:
    ``lunar_year`` (birth in Jan/Feb given with the lunar year: one less), ``dob_missing``, ``year_only``,
    ``placeholder_0101``, ``keystrokes`` (Telex / VNI / VIQR residue), ``name_swap`` (given name first, or Western
    order), ``sex_wrong``, ``typo`` (name letter, or one ID digit), ``address_other`` (stale address: the previous
    commune after a move), ``id_spreadsheet`` (leading zero lost, or scientific notation), ``id_missing``,
    ``cmnd_beside`` (the old CMND instead of, or beside, the CCCD), ``no_diacritics``, ``middle_dropped``.

Output (``--out DIR``): ``input.parquet`` (``full_name``, ``dob``, ``sex``, ``id_number``, ``phone``, ``address``,
as written) and ``truth.parquet`` (``entity``, ``household``, ``register``, ``noises``, ``relation``: ``twin`` /
``namesake`` / ``""``). Same ``--people`` and ``--seed`` → byte-identical files.

    .venv/bin/python -m bench.population.generate --people 30000 --seed 11 --out /tmp/link/pop-30k
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from bench.population import names
from bench.population.keystrokes import encode

# Bumped when the files change for the same --people and --seed (bench/link.py keeps one folder per version).
# 2: truth.parquet gains the TRUTH_COLUMNS (input.parquet unchanged).
GENERATOR_VERSION = 2
# Share of people made the namesake of another (same name, sex, date; another commune; own IDs), at every size.
# Natural namesakes come on top and grow with the square of the population (110 pairs per 100,000 people with this
# name pool, about 11,000 at 1 M); 0.01 plants 962 pairs at 100,000 people. Kept as the default for comparability.
NAMESAKES = 0.01
# Share of births (deliveries) that are twins. 0.04 is the harsh default (kept for comparability); South and
# South-East Asia's natural twinning rate is 6-9 twin births per 1,000 births (Smits & Monden, "Twinning across the
# Developing World", PLoS ONE 6(9): e25239, 2011, from Demographic and Health Surveys): the realistic profile's 0.008.
TWINS = 0.04


@dataclass(frozen=True)
class Profile:
    """The population's documented parameters (``--profile``); each one is a statement about the world, not a knob
    tuned on the linker's results."""

    namesakes: float  # share of people MADE the namesake of another, on top of the natural ones
    name_pool: str  # ``bench`` (concentrated, this module's tables) or ``public`` (SOURCE.md)
    twins: float  # share of births that are twins


PROFILES = {
    # harsh: nine times the natural namesakes, a concentrated name pool, four times the twins
    "harsh": Profile(NAMESAKES, "bench", TWINS),
    # realistic: namesakes only as the name pool makes them (no made ones), the public name-part frequencies
    # (SOURCE.md), Asia's natural twinning rate (TWINS)
    "realistic": Profile(0.0, "public", 0.008),
}
NOISES = ("lunar_year", "dob_missing", "year_only", "placeholder_0101", "keystrokes", "name_swap", "sex_wrong",
          "typo", "address_other", "id_spreadsheet", "id_missing", "cmnd_beside", "middle_dropped")
_NOISE_WEIGHTS = (6, 4, 5, 5, 6, 5, 4, 8, 6, 5, 5, 6, 3)
_EXCLUSIVE = ({"lunar_year", "dob_missing", "year_only", "placeholder_0101"},
              {"id_spreadsheet", "id_missing", "cmnd_beside"})
_BIRTH_PROVINCES = ("048", "049", "049", "048", "046", "051", "038", "001", "079", "052")


class Weighted:
    """A fixed weighted choice (cumulative weights, bisect)."""

    def __init__(self, pairs: tuple[tuple[str, float], ...]) -> None:
        self.items = [p[0] for p in pairs]
        self.cum = list(accumulate(p[1] for p in pairs))

    def pick(self, rng: random.Random) -> str:
        return self.items[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


FAMILY = Weighted(names.FAMILY)
GIVEN = {"M": Weighted(names.zipf(names.GIVEN_M)), "F": Weighted(names.zipf(names.GIVEN_F))}
GIVEN_ALL = names.GIVEN_M + names.GIVEN_F
PUBLIC_MIDDLE: dict[tuple[str, int], Weighted] | None = None  # (sex, generation) → middle names, public pool only


def use_pool(pool: str) -> None:
    """``bench`` (the default: this module's small, concentrated tables) or ``public`` (the name-part frequencies of
    ``public_*.tsv``, see SOURCE.md: family by weight, middle by sex and birth generation, given by sex)."""
    global FAMILY, GIVEN, GIVEN_ALL, PUBLIC_MIDDLE
    if pool == "bench":
        FAMILY = Weighted(names.FAMILY)
        GIVEN = {"M": Weighted(names.zipf(names.GIVEN_M)), "F": Weighted(names.zipf(names.GIVEN_F))}
        GIVEN_ALL, PUBLIC_MIDDLE = names.GIVEN_M + names.GIVEN_F, None
        return
    FAMILY = Weighted(names.public_family())
    GIVEN = {sex: Weighted(names.public_given(sex)) for sex in "MF"}
    GIVEN_ALL = tuple(dict.fromkeys(GIVEN["M"].items + GIVEN["F"].items))
    PUBLIC_MIDDLE = {(sex, before): Weighted(names.public_middle(sex, before - 1))
                     for sex in "MF" for before, *_ in names.GENERATIONS}


@dataclass
class Place:
    old_code: str
    old_commune: str
    old_district: str
    old_province: str
    new_commune: str
    new_province: str


@dataclass
class Person:
    pid: str
    household: str
    sex: str
    born: dt.date
    family: str
    middle: str
    given: str
    home: Place
    cccd: str | None
    cmnd: str | None
    phone: str | None
    hamlet: int
    previous: Place | None = None
    relation: str = ""
    registers: list[str] = field(default_factory=list)


def places() -> list[Place]:
    """Every old commune of Đà Nẵng (48) and Quảng Nam (49) with its new commune (official reference tables)."""
    from hopnhat.units.reference import reference

    ref = reference()
    out = []
    for prov in ("48", "49"):
        province = ref.unit(prov, "old", "province").name
        for unit in ref.communes_in("old", prov):
            links = ref.new_communes_of(unit.code)
            if not links:
                continue
            district = ref.unit(unit.district_code, "old", "district").name if unit.district_code else ""
            new = ref.unit(links[0].new_code, "new")
            new_prov = ref.unit(new.province_code, "new", "province").name
            place = Place(unit.code, unit.name, district, province, new.name, new_prov)
            out.extend([place] * (3 if prov == "48" else 1))  # Đà Nẵng's communes are more populous
    return out


# --- people --------------------------------------------------------------------------------------------------------

class Numbers:
    """Unique CCCDs, CMNDs and phones."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.used = rng, set()

    def fresh(self, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value

    def cccd(self, born: dt.date, sex: str) -> str:
        prov = self.rng.choice(_BIRTH_PROVINCES)
        century = (born.year - 1900) // 100 * 2 + (sex == "F")
        return self.fresh(lambda: f"{prov}{century}{born.year % 100:02d}{self.rng.randrange(10**6):06d}")

    def cmnd(self, province_digit: str) -> str:
        return self.fresh(lambda: f"20{province_digit}{self.rng.randrange(10**6):06d}")

    def phone(self) -> str:
        return self.fresh(lambda: self.rng.choice(("090", "091", "093", "098", "097", "035", "077", "070", "083"))
                          + f"{self.rng.randrange(10**7):07d}")


def _date(rng: random.Random, first: int, last: int) -> dt.date:
    start = dt.date(first, 1, 1).toordinal()
    return dt.date.fromordinal(rng.randrange(start, dt.date(last, 12, 31).toordinal() + 1))


def _middle(rng: random.Random, sex: str, born: dt.date) -> str:
    if PUBLIC_MIDDLE is not None:
        before = next(b for b, *_ in names.GENERATIONS if born.year < b)
        return PUBLIC_MIDDLE[(sex, before)].pick(rng)
    old = born.year < 1985
    pool = (names.MIDDLE_M_OLD if old else names.MIDDLE_M_NEW) if sex == "M" else (
        names.MIDDLE_F_OLD if old else names.MIDDLE_F_NEW)
    return rng.choice(pool)


def _person(rng: random.Random, ids: Numbers, pid: str, household: str, sex: str, born: dt.date, family: str,
            home: Place, hamlet: int, phone: str | None) -> Person:
    adult = born.year <= 2010
    cccd = ids.cccd(born, sex) if born.year <= 2018 or rng.random() < 0.3 else None
    cmnd = ids.cmnd("1" if home.old_code < "20300" else "5") if born.year < 2000 and rng.random() < 0.8 else None
    own_phone = ids.phone() if adult and rng.random() < 0.75 else None
    return Person(pid, household, sex, born, family, _middle(rng, sex, born), GIVEN[sex].pick(rng), home, cccd, cmnd,
                  phone if phone and rng.random() < 0.7 else own_phone, hamlet)


def _near_given(rng: random.Random, sex: str, given: str) -> str:
    """A twin's given name: often one that folds alike or differs by a letter (Hùng / Hưng), else any other."""
    near = [g for g in GIVEN_ALL if g != given and (_fold(g) == _fold(given) or (
        len(g) == len(given) and sum(a != b for a, b in zip(_fold(g), _fold(given), strict=True)) == 1))]
    if near and rng.random() < 0.5:
        return rng.choice(near)
    while True:
        other = GIVEN[sex].pick(rng)
        if other != given:
            return other


def households(rng: random.Random, people: int, where: list[Place], twins: float = TWINS) -> list[Person]:
    """People in households: parents, children (``twins``: the share of births that are twins); namesakes added
    after."""
    ids, out, h = Numbers(rng), [], 0
    while len(out) < people:
        h += 1
        hid, home, hamlet = f"H{h:07d}", rng.choice(where), rng.randint(1, 12)
        phone = ids.phone() if rng.random() < 0.6 else None
        father_born = _date(rng, 1935, 2000)
        family = FAMILY.pick(rng)
        size = rng.choices((1, 2, 3, 4, 5, 6), (14, 18, 22, 26, 14, 6))[0]
        members = [_person(rng, ids, f"P{len(out):08d}", hid, "M", father_born, family, home, hamlet, phone)]
        if size > 1:
            mother_born = _date(rng, max(1935, father_born.year - 4), min(2003, father_born.year + 8))
            members.append(_person(rng, ids, f"P{len(out) + 1:08d}", hid, "F", mother_born, FAMILY.pick(rng), home,
                                   hamlet, phone))
        first_child = father_born.year + rng.randint(20, 34)
        while len(members) < size and first_child <= 2024:
            born = _date(rng, first_child, min(2024, first_child + 2))
            sex = rng.choice("MF")
            child = _person(rng, ids, f"P{len(out) + len(members):08d}", hid, sex, born, family, home, hamlet, phone)
            members.append(child)
            if len(members) < size and rng.random() < twins:
                t_sex = rng.choice("MF")
                twin = _person(rng, ids, f"P{len(out) + len(members):08d}", hid, t_sex, born, family, home, hamlet,
                               phone)
                twin.given = _near_given(rng, t_sex, child.given)
                twin.middle = child.middle if t_sex == sex else twin.middle
                child.relation = twin.relation = "twin"
                members.append(twin)
            first_child = born.year + rng.randint(1, 5)
        out.extend(members)
    return out[:people]


def namesakes(rng: random.Random, population: list[Person], share: float, where: list[Place]) -> None:
    """Turn some people into namesakes of others: same full name, sex and birth date, another commune, own IDs."""
    n = int(len(population) * share)
    for _ in range(n):
        a, b = rng.sample(population, 2)
        if a.household == b.household or a.relation or b.relation:
            continue
        b.family, b.middle, b.given, b.sex, b.born = a.family, a.middle, a.given, a.sex, a.born
        if b.home.old_code == a.home.old_code:
            b.home = rng.choice(where)
        if b.cccd:
            b.cccd = b.cccd[:3] + ("1" if b.sex == "F" else "0") + f"{b.born.year % 100:02d}" + b.cccd[6:]
            if b.born.year >= 2000:
                b.cccd = b.cccd[:3] + str(int(b.cccd[3]) % 2 + 2) + b.cccd[4:]
        a.relation = b.relation = "namesake"


# --- registers -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Style:
    register: str
    date: str  # strftime-like: "dmy", "iso", "year", "serial", "compact"
    upper: float  # share of rows in upper case
    plain: float  # share written without diacritics
    old_units: bool  # address in the pre-merger units
    phone_share: float
    cmnd_first: float  # share of rows giving the CMND when the person has one


STYLES = {
    "qn_dancu": Style("qn_dancu", "dmy", 0.0, 0.02, True, 0.7, 0.1),
    "dn_dancu": Style("dn_dancu", "iso", 0.0, 0.02, True, 0.7, 0.1),
    "tthc": Style("tthc", "dmy", 0.3, 0.2, False, 0.9, 0.3),
    "bhxh": Style("bhxh", "compact", 0.5, 0.4, True, 0.5, 0.5),
    "dat_dai": Style("dat_dai", "dmy", 0.6, 0.3, True, 0.3, 0.8),
}


def _registers(rng: random.Random, p: Person) -> list[str]:
    home = "dn_dancu" if p.home.old_province.endswith("Đà Nẵng") else "qn_dancu"
    out = [home]
    if rng.random() < 0.04:  # moved between the two provinces: registered in both
        out.append("qn_dancu" if home == "dn_dancu" else "dn_dancu")
    adult, worker = p.born.year <= 2006, 1960 <= p.born.year <= 2006
    if rng.random() < (0.14 if adult else 0.05):
        out.append("tthc")
    if worker and rng.random() < 0.2:
        out.append("bhxh")
    if adult and p.born.year <= 1995 and rng.random() < 0.18:
        out.append("dat_dai")
    if rng.random() < 0.02:  # registered twice in the same register (a re-registration)
        out.append(out[-1])
    return out


def _draw_noises(rng: random.Random, home_record: bool, p: Person) -> list[str]:
    count = (rng.choices((0, 1, 2), (88, 10, 2))[0] if home_record
             else rng.choices((0, 1, 2, 3), (40, 32, 18, 10))[0])
    chosen: list[str] = []
    while len(chosen) < count:
        noise = rng.choices(NOISES, _NOISE_WEIGHTS)[0]
        if noise in chosen or any(noise in g and set(chosen) & g for g in _EXCLUSIVE):
            continue
        if noise == "lunar_year" and p.born.month > 2:
            continue
        if noise in ("id_spreadsheet", "cmnd_beside") and not p.cccd:
            continue
        if noise == "middle_dropped" and not p.middle:
            continue
        chosen.append(noise)
    return sorted(chosen)


def _fold(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


_KEYBOARD = {c: n for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm") for i, c in enumerate(row)
             for n in [row[max(0, i - 1)] + row[min(len(row) - 1, i + 1)]]}


def _typo_word(rng: random.Random, word: str) -> str:
    """One slip: a neighbouring key, a letter dropped or doubled, two letters swapped, a tone mark lost."""
    if len(word) < 3:
        return word + word[-1]
    i = rng.randrange(1, len(word))
    kind = rng.choice(("key", "drop", "double", "swap", "tone"))
    if kind == "tone" and _fold(word) != word:
        return word[:i] + _fold(word[i:])
    if kind == "swap" and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    base = _fold(word[i]).lower()
    return word[:i] + rng.choice(_KEYBOARD.get(base, "a")) + word[i + 1:]


def _name(rng: random.Random, p: Person, noises: list[str], style: Style) -> tuple[str, list[str]]:
    family, middle, given = p.family, p.middle, p.given
    if "typo" in noises and rng.random() < 0.7:
        if rng.random() < 0.7:
            given = _typo_word(rng, given)
        else:
            family = _typo_word(rng, family)
    words = [family, *([middle] if middle and "middle_dropped" not in noises else []), given]
    if "name_swap" in noises:
        # given name first ("Hùng Văn Nguyễn") or Western order ("Văn Hùng Nguyễn")
        words = [given, *words[1:-1], family] if rng.random() < 0.5 else [*words[1:], family]
    text = " ".join(words)
    extra = []
    if "keystrokes" in noises:
        text = encode(text, rng.choice(("telex", "telex", "vni", "viqr")))
    elif rng.random() < style.plain:
        text, extra = _fold(text), ["no_diacritics"]
    if rng.random() < style.upper:
        text = text.upper()
    return text, extra


def _dob(rng: random.Random, p: Person, noises: list[str], style: Style) -> str:
    born = p.born
    if "dob_missing" in noises:
        return ""
    year = born.year - 1 if "lunar_year" in noises else born.year
    if "year_only" in noises or ("lunar_year" in noises and rng.random() < 0.4):
        return str(year)
    day, month = (1, 1) if "placeholder_0101" in noises else (born.day, born.month)
    try:
        d = dt.date(year, month, day)
    except ValueError:  # 29 February of the year before
        d = dt.date(year, 2, 28)
    if style.date == "iso":
        return d.isoformat()
    if style.date == "compact":
        return d.strftime("%Y%m%d") if rng.random() < 0.5 else d.strftime("%d/%m/%Y")
    return d.strftime("%d/%m/%Y") if rng.random() < 0.8 else f"{d.day}/{d.month}/{d.year}"


def _id(rng: random.Random, p: Person, noises: list[str], style: Style) -> tuple[str, list[str]]:
    """The ID cell as written, and the person's numbers it still shows (a slipped or zero-stripped number still
    shows its number; scientific notation shows none)."""
    if "id_missing" in noises:
        return "", []
    use_cmnd = p.cmnd and (rng.random() < style.cmnd_first or not p.cccd)
    number = (p.cmnd if use_cmnd else p.cccd) or ""
    shown = [number] if number else []
    if "cmnd_beside" in noises and p.cccd:
        number = (f"{p.cmnd} / {p.cccd}" if p.cmnd and rng.random() < 0.6 else
                  p.cmnd if p.cmnd else p.cccd)
        shown = [n for n in (p.cmnd, p.cccd) if n and n in number]
    if "typo" in noises and number and rng.random() < 0.3:
        i = rng.choice([k for k, c in enumerate(number) if c.isdigit() and k >= 6] or [len(number) - 1])
        number = number[:i] + str((int(number[i]) + rng.randint(1, 9)) % 10) + number[i + 1:]
    if "id_spreadsheet" in noises and number.isdigit():
        if rng.random() < 0.8:
            return number.lstrip("0"), shown
        return f"{int(number):.5E}", []
    return number, shown


def _address(rng: random.Random, p: Person, noises: list[str], style: Style, where: list[Place]) -> tuple[str, Place]:
    place = p.home
    if "address_other" in noises:
        if p.previous is None:
            p.previous = rng.choice(where)
        place = p.previous
    hamlet = f"Thôn {p.hamlet}" if place.old_commune.startswith("Xã") else f"Tổ {p.hamlet}"
    if style.old_units or rng.random() < 0.15:
        parts = [hamlet, place.old_commune, place.old_district, place.old_province]
        if rng.random() < 0.3:
            parts = [hamlet, place.old_commune, place.old_district]
        return ", ".join(parts), place
    return ", ".join([hamlet, place.new_commune, place.new_province]), place


def _phone(rng: random.Random, p: Person, style: Style) -> str:
    if not p.phone or rng.random() > style.phone_share:
        return ""
    form = rng.random()
    if form < 0.15:
        return "+84 " + p.phone[1:4] + " " + p.phone[4:7] + " " + p.phone[7:]
    if form < 0.25:
        return p.phone[:4] + "." + p.phone[4:7] + "." + p.phone[7:]
    if form < 0.3:
        return p.phone[1:]  # leading zero lost to a spreadsheet
    return p.phone


TRUTH_COLUMNS = ("t_name", "t_born", "t_sex", "t_ids_shown", "t_phone_shown", "t_commune", "t_hamlet")


def _truth(p: Person, ids_shown: list[str], phone_shown: bool, place: Place) -> dict[str, str]:
    """What the record still tells about its person once its noises are undone (the bench's ceiling, ``ideal``):
    the true name (family|middle|given), birth date and sex, the person's ID numbers the cell still shows, the
    person's phone when written, and the NEW commune and hamlet of the place the address names."""
    return {"t_name": f"{p.family}|{p.middle}|{p.given}", "t_born": p.born.isoformat(), "t_sex": p.sex,
            "t_ids_shown": ";".join(ids_shown), "t_phone_shown": p.phone if phone_shown and p.phone else "",
            "t_commune": f"{place.new_province}|{place.new_commune}", "t_hamlet": str(p.hamlet)}


def records(rng: random.Random, population: list[Person], where: list[Place]) -> list[dict[str, str]]:
    rows = []
    for p in population:
        for k, register in enumerate(_registers(rng, p)):
            style = STYLES[register]
            noises = _draw_noises(rng, k == 0, p)
            name, extra = _name(rng, p, noises, style)
            sex = p.sex if "sex_wrong" not in noises else ("F" if p.sex == "M" else "M")
            address, place = _address(rng, p, noises, style, where)
            dob = _dob(rng, p, noises, style)
            sex_text = {"M": "Nam", "F": "Nữ"}[sex] if rng.random() < 0.8 else sex
            id_text, ids_shown = _id(rng, p, noises, style)
            phone = _phone(rng, p, style)
            rows.append({
                "full_name": name, "dob": dob, "sex": sex_text, "id_number": id_text, "phone": phone,
                "address": address, "entity": p.pid, "household": p.household, "register": register,
                "noises": ";".join(sorted(noises + extra)), "relation": p.relation,
                **_truth(p, ids_shown, bool(phone), place),
            })
    order = list(range(len(rows)))
    rng.shuffle(order)  # registers are not sorted by person
    return [rows[i] for i in order]


def generate(people: int, seed: int, out: Path, namesake_share: float = NAMESAKES,
             name_pool: str = "bench", twins: float = TWINS) -> tuple[Path, Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    use_pool(name_pool)
    rng = random.Random(seed)
    where = places()
    population = households(rng, people, where, twins)
    namesakes(rng, population, namesake_share, where)
    rows = records(rng, population, where)
    out.mkdir(parents=True, exist_ok=True)
    cols = {k: [r[k] for r in rows] for k in rows[0]}
    inp, truth = out / "input.parquet", out / "truth.parquet"
    pq.write_table(pa.table({k: cols[k] for k in ("full_name", "dob", "sex", "id_number", "phone", "address")}), inp)
    pq.write_table(pa.table({k: cols[k] for k in ("entity", "household", "register", "noises", "relation",
                                                  *TRUTH_COLUMNS)}), truth)
    return inp, truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--profile", choices=tuple(PROFILES), default="harsh",
                        help="harsh (default) or realistic: the namesakes, name pool and twins below together")
    parser.add_argument("--namesakes", type=float, default=None,
                        help="share of people made a namesake of another (harsh: 0.01)")
    parser.add_argument("--name-pool", choices=("bench", "public"), default=None,
                        help="bench: this module's tables (harsh); public: public_*.tsv (SOURCE.md)")
    parser.add_argument("--twins", type=float, default=None, help="share of births that are twins (harsh: 0.04)")
    args = parser.parse_args()
    profile = PROFILES[args.profile]
    inp, truth = generate(args.people, args.seed, args.out,
                          profile.namesakes if args.namesakes is None else args.namesakes,
                          args.name_pool or profile.name_pool, profile.twins if args.twins is None else args.twins)
    print(inp, truth)


if __name__ == "__main__":
    main()
