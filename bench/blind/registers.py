"""The registers a person of the blind population appears in, each with its own habits (how it writes names, dates,
sex, addresses and phones: lossless formatting, not noise), and the writing of one record with its noises."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bench.blind import noise
from bench.blind.keys import strip_accents, telex, vni
from bench.blind.names import MIDDLE
from bench.blind.people import Person, Unit

NEW_PROVINCE = "Tỉnh Hưng Yên"
ABBREVIATIONS = (("Thành phố ", "TP. "), ("Thị xã ", "TX. "), ("Thị trấn ", "TT. "), ("Huyện ", "H. "),
                 ("Phường ", "P. "), ("Xã ", "X. "), ("Tỉnh ", "T. "))


@dataclass(frozen=True)
class Register:
    name: str
    address: str  # "old" (with the district), "old_short" (abbreviated), "old_lower", "new", "new_plain"
    upper: bool  # names in capitals
    date: str  # "dmy" 05/03/1980, "iso" 1980-03-05, "dmy_short" 5/3/1980
    sexes: tuple[str, str]  # how it writes male, female
    phone_share: float  # share of its records with a phone
    phone: str  # "plain" 0912345678, "spaced" 0912 345 678, "intl" 84912345678, "dotted" 0912.345.678


DANCU = {"34": Register("dancu_thaibinh", "old", True, "dmy", ("Nam", "Nữ"), 0.6, "plain"),
         "33": Register("dancu_hungyen", "old_short", False, "iso", ("Nam", "Nữ"), 0.6, "plain")}
MOTCUA = Register("motcua", "new", False, "dmy", ("nam", "nữ"), 1.0, "spaced")
BHXH = Register("bhxh", "new_plain", True, "dmy_short", ("NAM", "NU"), 0.8, "intl")
DATDAI = Register("datdai", "old_lower", False, "dmy", ("Nam", "Nữ"), 0.3, "dotted")


def memberships(rng: random.Random, p: Person, units: list[Unit]) -> list[Register]:
    """The registers holding ``p``: the population register of their old province first (the clean record), then
    the one-stop shop, social insurance (workers, children under 6 on health insurance, pensioners), land (owners
    from 30) and a second population-register record (a duplicate registration). Social insurance also holds
    students (school health insurance) at the pensioners' rate."""
    home = DANCU[units[p.unit].province_code]
    out = [home]
    if rng.random() < (0.14 if p.age >= 18 else 0.04):
        out.append(MOTCUA)
    if rng.random() < (0.24 if 18 <= p.age <= 60 else 0.25 if p.age < 6 else 0.1):
        out.append(BHXH)
    if p.age >= 30 and rng.random() < 0.12:
        out.append(DATDAI)
    if rng.random() < 0.03:
        out.append(home)
    return out


def eligible(p: Person, reg: Register, has_phone: bool) -> list[str]:
    skip = set()
    if not noise.before_tet(p.month, p.day):
        skip.add("lunar_year")
    if p.day > 12 or p.day == p.month:
        skip.add("day_month_swap")
    if not reg.address.startswith("new"):
        skip.add("address_stale")
    if not p.cmnd:
        skip |= {"cmnd_instead", "cmnd_beside"}
    if not has_phone:
        skip.add("phone_other")
    if f"{p.family}{p.middle}{p.given}".isascii():  # nothing to lose or to type with keys
        skip |= {"accents_lost", "telex", "vni"}
    return [n for n in noise.WEIGHTS if n not in skip]


# --- fields --------------------------------------------------------------------------------------------------------

def name(rng: random.Random, p: Person, reg: Register, kinds: set[str]) -> str:
    middle = [] if "middle_dropped" in kinds else [p.middle]
    if "middle_added" in kinds:
        extra = "Thị" if p.sex == "F" else "Văn"
        if extra == p.middle:
            extra = rng.choice([n for n, _ in MIDDLE[(p.sex, True)] if n != p.middle])
        middle = [extra, p.middle]
    parts = [p.family, *middle, p.given]
    if "name_swap" in kinds:
        parts = [*middle, p.given, p.family] if rng.random() < 0.6 else [p.given, p.family, *middle]
    text = " ".join(parts)
    if "typo" in kinds:
        text = noise.typo(rng, text)
    if "accents_lost" in kinds:
        text = strip_accents(text)
    elif "telex" in kinds:
        text = telex(text)
    elif "vni" in kinds:
        text = vni(text)
    return text.upper() if reg.upper else text


def dob(p: Person, reg: Register, kinds: set[str]) -> str:
    if "dob_missing" in kinds:
        return ""
    y, m, d = p.year - ("lunar_year" in kinds), p.month, p.day
    if "year_only" in kinds:
        return str(y)
    if "placeholder_0101" in kinds:
        m, d = 1, 1
    if "day_month_swap" in kinds:
        m, d = d, m
    if reg.date == "iso":
        return f"{y:04d}-{m:02d}-{d:02d}"
    return f"{d}/{m}/{y:04d}" if reg.date == "dmy_short" else f"{d:02d}/{m:02d}/{y:04d}"


def sex(p: Person, reg: Register, kinds: set[str]) -> str:
    male = (p.sex == "M") != ("sex_wrong" in kinds)
    return reg.sexes[0 if male else 1]


def id_number(rng: random.Random, p: Person, kinds: set[str]) -> str:
    if "id_missing" in kinds:
        return ""
    if "cmnd_instead" in kinds:
        return noise.slip(rng, p.cmnd) if "id_slip" in kinds else p.cmnd
    cccd = noise.slip(rng, p.cccd) if "id_slip" in kinds else p.cccd
    if "cmnd_beside" in kinds:
        return rng.choice((f"{p.cmnd} - {cccd}", f"{cccd} (CMND {p.cmnd})", f"{cccd}/{p.cmnd}"))
    if "id_leading_zero" in kinds:
        return cccd.lstrip("0")
    if "id_float" in kinds:
        return f"{int(cccd)}.0"
    if "id_scientific" in kinds:
        return f"{int(cccd):.5E}"
    return cccd


def phone(rng: random.Random, p: Person, reg: Register, kinds: set[str], household: list[Person]) -> str:
    number = p.phone
    if "phone_other" in kinds:
        others = sorted({q.phone for q in household if q.phone and q.phone != p.phone})
        number = rng.choice(others) if others and rng.random() < 0.5 else \
            f"{rng.choice(('09', '03', '08', '07'))}{rng.randrange(10**8):08d}"
    if not number:
        return ""
    if reg.phone == "spaced":
        return f"{number[:4]} {number[4:7]} {number[7:]}"
    if reg.phone == "intl":
        return "84" + number[1:]
    return f"{number[:4]}.{number[4:7]}.{number[7:]}" if reg.phone == "dotted" else number


def address(rng: random.Random, p: Person, reg: Register, kinds: set[str], units: list[Unit]) -> str:
    unit, hamlet, new = units[p.unit], p.hamlet, p.new_commune
    if "address_other" in kinds:
        same = [i for i, u in enumerate(units) if u.province_code == unit.province_code]
        index = rng.choice(same) if rng.random() < 0.7 else rng.randrange(len(units))
        unit, n = units[index], rng.randint(1, 12)
        hamlet, new = f"Thôn {n}" if unit.level == "Xã" else f"Tổ dân phố {n}", unit.new[n % len(unit.new)]
    style = "old" if "address_stale" in kinds and reg.address == "new" else reg.address
    if "address_stale" in kinds and reg.address == "new_plain":
        style = "old_plain"
    old = f"{hamlet}, {unit.commune}, {unit.district}, {unit.province}"
    if style == "old":
        return old
    if style == "old_short":
        for long, short in ABBREVIATIONS:
            old = old.replace(long, short)
        return old
    if style == "old_lower":
        return ", ".join(part[0].lower() + part[1:] for part in old.split(", "))
    if style == "old_plain":
        return strip_accents(old).upper()
    text = f"{hamlet}, {new}, {NEW_PROVINCE}"
    return strip_accents(text).upper() if style == "new_plain" else text
