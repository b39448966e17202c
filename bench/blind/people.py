"""People of the blind population: households of the two old provinces, with names, birth dates, sexes, IDs and
phones (the truth every register record is written from). Rates and their sources: SOURCE.md."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

from bench.blind.names import FAMILY, MIDDLE, given_table

HERE = Path(__file__).resolve().parent
YEAR = 2025
# household sizes 1..7 (7 = "6 or more" at a mean of 6.6): 2019 census, mean 3.5 (SOURCE.md)
HOUSEHOLD_SIZES = (1, 2, 3, 4, 5, 6, 7)
HOUSEHOLD_SHARES = (0.10, 0.17, 0.21, 0.26, 0.14, 0.07, 0.05)
TWIN_DELIVERIES = 0.01  # share of deliveries that are twins
# mobile prefixes of the Vietnamese operators (10-digit numbers since the 2018 renumbering)
MOBILE = ("086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039", "088", "091", "094",
          "081", "082", "083", "084", "085", "089", "090", "093", "070", "076", "077", "078", "079", "092", "056",
          "058", "099", "059")
# province of birth registration (CCCD prefix) of people born outside their household's province: neighbours first
ELSEWHERE = (("030", 3), ("036", 3), ("035", 2), ("001", 3), ("031", 2), ("022", 1), ("037", 1), ("038", 1),
             ("079", 1), ("027", 1))
CMND_PREFIX = {"33": ("145",), "34": ("151", "152")}  # 9-digit CMND series of Hưng Yên and Thái Bình
HAMLET_NAMES = ("Đông", "Tây", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "An Lạc", "Phú Lễ", "Đoài", "Tiền", "Hậu",
                "Cộng Hòa", "Quyết Tiến", "Tân Lập", "Đồng Tâm")
STREETS = ("Lê Lợi", "Trần Hưng Đạo", "Lý Thường Kiệt", "Hai Bà Trưng", "Quang Trung", "Nguyễn Văn Linh",
           "Lê Quý Đôn", "Phạm Ngũ Lão", "Điện Biên", "Trần Phú", "Ngô Quyền", "Lý Bôn", "Hùng Vương", "Kỳ Đồng",
           "Nguyễn Du", "Chu Văn An", "Tô Hiệu", "Bạch Đằng")


@dataclass
class Unit:
    """An old commune with its district, province and the new commune(s) it went to."""

    province: str
    province_code: str
    district: str
    commune: str
    level: str
    new: list[str] = field(default_factory=list)


@dataclass
class Person:
    pid: int
    household: int
    family: str
    middle: str
    given: str
    sex: str  # "M" / "F"
    year: int
    month: int
    day: int
    cccd: str
    cmnd: str
    phone: str
    unit: int
    hamlet: str
    new_commune: str
    twin: bool = False
    namesake: bool = False

    @property
    def age(self) -> int:
        return YEAR - self.year


def load_units() -> list[Unit]:
    units: dict[tuple[str, str], Unit] = {}
    with (HERE / "units.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            key = (r["old_province_code"], r["old_code"])
            if key not in units:
                units[key] = Unit(r["old_province"], r["old_province_code"], r["old_district"], r["old_commune"],
                                  r["level"])
            units[key].new.append(r["new_commune"])
    return [units[k] for k in sorted(units)]


class Population:
    """Draws households one after another from one ``random.Random`` (same seed → same people)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.units = load_units()
        self.people: list[Person] = []
        self.ids: set[str] = set()
        self.family = ([n for n, _ in FAMILY], [w for _, w in FAMILY])
        self.given = {s: given_table(s) for s in ("M", "F")}

    # --- small draws ---------------------------------------------------------------------------------------------
    def pick(self, table: tuple[list[str], list[float]]) -> str:
        return self.rng.choices(table[0], table[1])[0]

    def middle(self, sex: str, year: int) -> str:
        rows = MIDDLE[(sex, year >= 1980)]
        return self.rng.choices([n for n, _ in rows], [w for _, w in rows])[0]

    def unique(self, make: object) -> str:
        while True:
            value = make()  # type: ignore[operator]
            if value not in self.ids:
                self.ids.add(value)
                return value

    def cccd(self, code: str, sex: str, year: int) -> str:
        digit = (0 if year < 2000 else 2) + (sex == "F")
        return self.unique(lambda: f"{code}{digit}{year % 100:02d}{self.rng.randrange(10**6):06d}")

    def cmnd(self, province: str, year: int) -> str:
        if year > 2001:  # a CMND was issued at 14 until CCCDs replaced it (2016-2021)
            return ""
        prefix = self.rng.choice(CMND_PREFIX[province])
        return self.unique(lambda: f"{prefix}{self.rng.randrange(10**6):06d}")

    def phone(self) -> str:
        return self.unique(lambda: f"{self.rng.choice(MOBILE)}{self.rng.randrange(10**7):07d}")

    def birth(self, year: int) -> tuple[int, int, int]:
        month = self.rng.randint(1, 12)
        days = 31 if month in (1, 3, 5, 7, 8, 10, 12) else 30 if month != 2 else 29 if year % 4 == 0 else 28
        return year, month, self.rng.randint(1, days)

    def birth_code(self, province: str) -> str:
        if self.rng.random() < 0.88:
            return "0" + province
        if self.rng.random() < 0.4:  # born in the other half of the new province
            return "034" if province == "33" else "033"
        return self.rng.choices([c for c, _ in ELSEWHERE], [w for _, w in ELSEWHERE])[0]

    def address(self, unit: Unit) -> tuple[str, int]:
        n = self.rng.randint(1, 12)
        if unit.level == "Phường" and self.rng.random() < 0.6:
            return f"Số {self.rng.randint(1, 250)} {self.rng.choice(STREETS)}", n
        if unit.level in ("Phường", "Thị trấn"):
            return f"Tổ dân phố {n}", n
        if self.rng.random() < 0.5:
            return f"Thôn {HAMLET_NAMES[n % len(HAMLET_NAMES)]}", n
        return f"{self.rng.choice(('Thôn', 'Xóm'))} {n}", n

    # --- people and households -----------------------------------------------------------------------------------
    def person(self, hh: int, family: str, sex: str, birth: tuple[int, int, int], where: tuple[int, str, str],
               middle: str = "", avoid: frozenset[str] = frozenset()) -> Person:
        year, month, day = birth
        unit = self.units[where[0]]
        given = self.pick(self.given[sex])
        while given in avoid:
            given = self.pick(self.given[sex])
        person = Person(len(self.people), hh, family, middle or self.middle(sex, year), given, sex, year, month, day,
                        self.cccd(self.birth_code(unit.province_code), sex, year),
                        self.cmnd(unit.province_code, year), "", where[0], where[1], where[2])
        self.people.append(person)
        return person

    def household(self, hh: int) -> list[Person]:
        size = self.rng.choices(HOUSEHOLD_SIZES, HOUSEHOLD_SHARES)[0]
        index = self.rng.randrange(len(self.units))
        hamlet, n = self.address(self.units[index])
        where = (index, hamlet, self.units[index].new[n % len(self.units[index].new)])
        if size == 1:
            age = int(self.rng.triangular(18, 95, 72))
            sex = "F" if self.rng.random() < (0.62 if age > 60 else 0.45) else "M"
            members = [self.person(hh, self.pick(self.family), sex, self.birth(YEAR - age), where)]
        else:
            members = self.family_of(hh, size, where)
        self.phones(members)
        return members

    def family_of(self, hh: int, size: int, where: tuple[int, str, str]) -> list[Person]:
        surname = self.pick(self.family)
        husband_year = YEAR - int(self.rng.triangular(21, 88, 40))
        wife_year = min(husband_year + self.rng.randint(-1, 6), YEAR - 19)
        single = self.rng.random() < (0.2 if size == 2 else 0.05)
        members = []
        if not single or self.rng.random() < 0.3:
            members.append(self.person(hh, surname, "M", self.birth(husband_year), where))
        if not (single and members):
            members.append(self.person(hh, self.pick(self.family), "F", self.birth(wife_year), where,
                                       avoid=frozenset(m.given for m in members)))
        left = size - len(members)
        if left >= 3 and YEAR - husband_year < 55 and self.rng.random() < 0.5:
            grand = husband_year - self.rng.randint(22, 34)
            members.append(self.person(hh, surname, "F" if self.rng.random() < 0.6 else "M", self.birth(grand), where,
                                       avoid=frozenset(m.given for m in members)))
            left -= 1
        taken = frozenset(m.given for m in members)  # a child is never named after a parent or grandparent
        return members + self.children(hh, surname, wife_year, left, where, taken)

    def children(self, hh: int, surname: str, mother: int, count: int, where: tuple[int, str, str],
                 taken: frozenset[str]) -> list[Person]:
        out: list[Person] = []
        year = mother + self.rng.randint(19, 30)
        while len(out) < count and year < YEAR:
            sex = "M" if self.rng.random() < 0.53 else "F"
            birth = self.birth(year)
            names = taken | {p.given for p in out}
            first = self.person(hh, surname, sex, birth, where, avoid=names)
            out.append(first)
            if len(out) < count and self.rng.random() < TWIN_DELIVERIES:
                other = sex if self.rng.random() < 0.65 else ("F" if sex == "M" else "M")
                mid = first.middle if other == sex else ""
                twin = self.person(hh, surname, other, birth, where, mid, avoid=names | {first.given})
                first.twin = twin.twin = True
                out.append(twin)
            year += self.rng.randint(1, 5)
        return out

    def phones(self, members: list[Person]) -> None:
        """Adults mostly have their own number; children and some elders are reached on a parent's."""
        for p in members:
            if 18 <= p.age and self.rng.random() < (0.92 if p.age < 75 else 0.45):
                p.phone = self.phone()
        shared = next((p.phone for p in members if p.phone), "")
        for p in members:
            if not p.phone:
                p.phone = shared


def draw(people: int, seed: int) -> tuple[list[Person], list[Unit]]:
    """``people`` people in households (the last household cut to fit), namesakes marked: two or more people of
    different households with the same full name and birth date."""
    pop = Population(seed)
    hh = 0
    while len(pop.people) < people:
        pop.household(hh)
        hh += 1
    del pop.people[people:]
    groups: dict[tuple[object, ...], list[Person]] = {}
    for p in pop.people:
        groups.setdefault((p.family, p.middle, p.given, p.year, p.month, p.day), []).append(p)
    for group in groups.values():
        if len({p.household for p in group}) > 1:
            for p in group:
                p.namesake = True
    return pop.people, pop.units
