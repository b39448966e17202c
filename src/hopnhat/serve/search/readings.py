"""What the clerk typed, read every plausible way: an identity number (CCCD 12 digits, CMND 9) or tax code, a phone
(``0xx`` or ``+84``), a dossier code, a parcel, a personal name (with a birth year or a full birth date, and/or the
commune the person lives in, old or new), an address (old or new units), an organisation.

:func:`readings` returns the readings in order of plausibility, each with a ``weight`` (0–1); the lookup searches the
plausible ones and ranks their results together, so a query such as ``Dương Đức Dũng 1971`` — whose words are also
unit names — is searched as a name *and* as an address, and the results decide. Nothing here touches the index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from hopnhat.link.keystrokes import decode_name
from hopnhat.load.lookup_index import fold_name
from hopnhat.serve.search.names import FAMILY_NAMES, name_likeness, name_orders, plain_words
from hopnhat.text.normalize import has_diacritics, nfc
from hopnhat.units.convert import Conversion, convert_address
from hopnhat.units.reference import reference
from hopnhat.values.core import Parsed
from hopnhat.values.phones import MOBILE_PREFIXES, parse_one

KINDS = ("id", "phone", "dossier", "parcel", "name", "address", "org")
MAX_QUERY = 200
MAX_PLACE_WORDS = 4  # a commune named after a name without a comma: its last 1–4 words
WEAK = 0.7  # weight of a reading the text hardly supports: searched only when the stronger ones found no one

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# "CMND 205…", "SĐT: 0905…", "Mã số thuế 04…": the label a clerk copies with the number
_LABEL = re.compile(r"^(?:số\s+)?(?:cmnd|cccd|cmt|căn cước(?: công dân)?|chứng minh(?: nhân dân)?|sđt|sdt|đt|dt|"
                    r"điện thoại|đtdđ|mst|mã số thuế|mã hồ sơ|tel)\s*(?:số)?\s*[:.#]?\s*(?=\S)", re.IGNORECASE)
# "sinh năm 1975", "ngày sinh 11/5/2007", "ns 1980": words that only say a date follows
_BIRTH_WORDS = re.compile(r"(?<!\w)(?:ngày sinh|năm sinh|sinh năm|sinh ngày|ngay sinh|nam sinh|sinh nam|sinh ngay|"
                          r"ns|sn)\s*:?\s*$", re.IGNORECASE)  # only right before the date; "Sinh" alone is a name
_SEPARATOR = re.compile(r"\s+[-–—|;/]\s+")  # "Nguyễn Công Hòa - Đại Đồng - Đại Lộc" separates like a comma
_YEAR = re.compile(r"(?<!\d)(19\d\d|20[0-4]\d)(?!\d)")
_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(19\d\d|20[0-4]\d)(?!\d)")
_DOSSIER = re.compile(r"^[A-Za-z0-9.]+-\d{6}-\d{4}$")
_PARCEL = re.compile(r"^(\d{5})\s*[-/,;| ]\s*(\d{1,4})\s*[-/,;| ]\s*(\d{1,6})$")
_SHEET = re.compile(r"\bto(?:\s+ban\s+do)?(?:\s+so)?\s*(\d{1,4})\b")
_PARCEL_NO = re.compile(r"\bthua(?:\s+dat)?(?:\s+so)?\s*(\d{1,6})\b")
_NUMBER = re.compile(r"(?<!\w)\d+(?!\w)")  # a number on its own (a VNI keystroke sits inside a word)
_PHONEISH = re.compile(r"^\(?\+?[\d\s.()\-]{9,20}$")
# words that say "address" — with diacritics they are unambiguous; folded, several are also names (Phương, Huyền,
# Quân, Xa, Dương …), so only the few that are not count
_UNIT_WORDS = re.compile(r"(?<!\w)(xã|phường|thị trấn|thị xã|quận|huyện|tỉnh|thành phố|thôn|tổ dân phố|khối phố|"
                         r"khối|ấp|đường|số nhà|tổ|xóm|bản|kp|tdp|tp|tx|tt)(?!\w)")
_UNIT_WORDS_FOLDED = re.compile(r"\b(thi tran|thi xa|thanh pho|to dan pho|khoi pho|so nha|tdp|tp|tx|tt|kp)\b")
_ORG_WORDS = re.compile(r"\b(cong ty|cty|tnhh|co phan|hop tac xa|htx|doanh nghiep|dntn|chi nhanh|tap doan|"
                        r"van phong|trung tam|ngan hang)\b")
# folded, these are also names (Nguyễn Văn Phong, Trần Trung Tâm, Ngân Hằng, Phan Chi Nhánh): an organisation only
# as spelt
_ORG_AMBIGUOUS = frozenset({"van phong", "trung tam", "ngan hang", "chi nhanh"})
_ORG_SPELT = re.compile(r"(?<!\w)(văn phòng|trung tâm|ngân hàng|chi nhánh)(?!\w)")


@dataclass(frozen=True)
class Query:
    """One reading of the search box."""

    text: str
    kind: str  # one of KINDS, or "empty"
    key: str = ""  # digits of an identifier / national phone number, or the dossier code
    name: str = ""  # folded name (keystrokes undone), family name first
    year: int | None = None
    day: int | None = None  # birth month × 100 + day, when a full date was typed
    communes: tuple[str, ...] = ()  # parcel: its commune (old or new code); name: the new communes it lives in
    wider: tuple[str, ...] = ()  # name: those of ``communes`` reached only by reading the place as an old district
    old_commune: str | None = None  # name: the place typed is this old commune (merged into a new one since)
    place: str = ""  # the place part of a name + place reading, as typed
    sheet: str = ""
    parcel: str = ""
    conversion: Conversion | None = None
    weight: float = 1.0  # plausibility of this reading, 0–1
    strong: bool = False  # the text says so itself (unit words, organisation words, a separator)

    @property
    def slug(self) -> str:
        """A short stable name of the reading (the ``as`` parameter of a one-click switch)."""
        if self.kind == "name":
            parts = ["name"] + (["date"] if self.day else ["year"] if self.year else []) + \
                (["place"] if self.communes else [])
            return "-".join(parts)
        return self.kind


def _strip_zeros(text: str) -> str:
    return text.lstrip("0") or "0"


def clean(raw: str | None) -> str:
    """NFC, no control characters, no leading label ("CMND", "SĐT:"), dashes between parts read as commas."""
    text = _CONTROL.sub(" ", nfc(raw or "")).strip()[:MAX_QUERY]
    text = _LABEL.sub("", text)
    return _SEPARATOR.sub(", ", text).strip()


# ------------------------------------------------------------------------------------------------ exact kinds

def _phone(text: str) -> str | None:
    """The national form (``0`` + 9 or 10 digits) of a phone typed as 0xx, +84, 84 or 0084 — a number the registers
    hold is searched even when its prefix is no longer valid."""
    digits = re.sub(r"\D", "", text)
    if not _PHONEISH.match(text) or (len(digits) < 10 and "+" not in text):
        return None  # nine digits are a CMND, not a phone that lost its 0
    parsed = parse_one(text)
    if isinstance(parsed, Parsed) and parsed.value:
        return str(parsed.value)
    national = "0" + digits[4:] if digits.startswith("0084") else "0" + digits[2:] if (
        digits.startswith("84") and len(digits) in (11, 12)) else digits
    return national if national.startswith("0") and len(national) in (10, 11) else None


def _exact(text: str) -> list[Query]:
    out: list[Query] = []
    compact = re.sub(r"[\s.\-()]", "", text)
    digits = compact.lstrip("+")
    phone = _phone(text)
    mobile = bool(phone) and len(phone or "") == 10 and (phone or "")[:3] in MOBILE_PREFIXES
    if phone:  # a mobile is a phone first; another 10-digit number is first a tax code (04…: Đà Nẵng's)
        out.append(Query(text, "phone", key=phone, weight=1.0 if mobile or "+" in text else 0.9, strong=True))
    if compact.isdigit() and len(compact) in (9, 10, 12, 13):
        out.append(Query(text, "id", key=compact, weight=0.95 if mobile else 1.0, strong=True))
    elif digits.isdigit() and len(digits) in (9, 12) and not phone:
        out.append(Query(text, "id", key=digits, weight=0.9, strong=True))
    if _DOSSIER.match(text.replace(" ", "")):
        out.append(Query(text, "dossier", key=text.replace(" ", "").upper(), strong=True))
    if m := _PARCEL.match(text):
        out.append(Query(text, "parcel", communes=(m.group(1),), sheet=_strip_zeros(m.group(2)),
                         parcel=_strip_zeros(m.group(3)), strong=True))
    return out


def _named_parcel(text: str) -> Query | None:
    folded = fold_name(text)
    sheet, number = _SHEET.search(folded), _PARCEL_NO.search(folded)
    if not (sheet and number):
        return None
    rest = _PARCEL_NO.sub(" ", _SHEET.sub(" ", folded)).replace(",", " ").strip()
    conv = convert_address(rest) if rest else None
    codes = tuple(c for c in ((conv.old_commune_code, conv.new_commune_code, *conv.candidates) if conv else ()) if c)
    return Query(text, "parcel", communes=codes, sheet=_strip_zeros(sheet.group(1)),
                 parcel=_strip_zeros(number.group(1)), strong=True)


# ------------------------------------------------------------------------------------------------ names and places

def _birth(text: str) -> tuple[str, int | None, int | None]:
    """(text without the date or year — nor the words announcing it —, year, month × 100 + day)."""
    if m := _DATE.search(text):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= day <= 31 and 1 <= month <= 12:
            return _without_date(text, m), year, month * 100 + day
    if m := _YEAR.search(text):
        return _without_date(text, m), int(m.group(1)), None
    return text, None, None


def _without_date(text: str, m: re.Match[str]) -> str:
    before = _BIRTH_WORDS.sub("", text[:m.start()].rstrip())
    return re.sub(r"\s+", " ", before + " " + text[m.end():]).strip(" ,")


def _new_communes(conv: Conversion, province: str | None) -> tuple[str, ...]:
    """The new communes of ``province`` (any, when None) a converted place stands for (its own, or the candidates of
    a split / ambiguous one: "Hòa An" names a dozen communes of the country, one or two of the province)."""
    codes = (conv.new_commune_code, *conv.candidates) if conv.status not in ("not_found", "invalid") else ()
    units = reference().communes["new"]
    return tuple(dict.fromkeys(c for c in codes if c and len(c) == 5 and (
        province is None or (c in units and units[c].province_code == province))))


_DISTRICT_WORDS = ("Thành phố", "Huyện", "Quận", "Thị xã")


def _place(text: str, province: str | None, exact: bool = False,
           districts: bool = False) -> tuple[Conversion, tuple[str, ...], tuple[str, ...]] | None:
    """A place that names at least one commune (of the province), whole (nothing left over), and not too many of
    them; ``exact``: not a fuzzy match of a unit name (the last words of a name often resemble one); ``districts``:
    a bare name may also be an old district or city ("Tam Kỳ": the city, whose communes all count).
    Returns (conversion, communes, the communes reached only through the district)."""
    conv = convert_address(text)
    codes = _new_communes(conv, province)
    wider: tuple[str, ...] = ()
    if districts and not _UNIT_WORDS.search(text.lower()):
        for word in _DISTRICT_WORDS:
            district = convert_address(f"{word} {text}")
            if district.old_district_code and not district.old_commune_code:
                wider += tuple(c for c in _new_communes(district, province) if c not in codes + wider)
    if not (codes + wider) or len(codes + wider) > 12 or (exact and "fuzzy" in conv.reason) or (
            fold_name(conv.rest) and not wider):
        return None
    return conv, codes + wider, wider


_UNIT_PREFIX = re.compile(r"^(?:xa|phuong|thi tran|dac khu|p|x|tt)\s+")


@lru_cache(maxsize=4)
def _province_places(province: str) -> dict[str, tuple[tuple[str, ...], str | None]]:
    """Folded commune name without its unit word → (the new communes it stands for, the old commune when it is one
    and only one), for the province's new communes and the old communes merged into them: an exact lookup for the
    words that end a name ("Hùng Bình Quế"), where the fuzzy address parser would cost milliseconds per try."""
    ref = reference()
    codes: dict[str, set[str]] = {}
    olds: dict[str, set[str]] = {}

    def add(unit_name: str, unit_type: str, new: set[str], old: str | None) -> None:
        key = fold_name(unit_name.removeprefix(unit_type))
        codes.setdefault(key, set()).update(new)
        olds.setdefault(key, set()).update({old} if old else {""})

    for code, unit in ref.communes["new"].items():
        if unit.province_code == province:
            add(unit.name, unit.type, {code}, None)
    new = ref.communes["new"]
    for code, unit in ref.communes["old"].items():
        targets = {link.new_code for link in ref.new_communes_of(code)
                   if link.new_code in new and new[link.new_code].province_code == province}
        if targets:
            add(unit.name, unit.type, targets, code)
    return {k: (tuple(sorted(v)), next(iter(olds[k])) or None if len(olds[k]) == 1 else None)
            for k, v in codes.items()}


@lru_cache(maxsize=4)
def _province_districts(province: str) -> frozenset[str]:
    """Folded names (without the unit word) of the old districts whose communes are now in the province."""
    ref = reference()
    new = ref.communes["new"]
    out = set()
    for code, unit in ref.communes["old"].items():
        district = ref.districts.get(unit.district_code or "")
        if district and any(link.new_code in new and new[link.new_code].province_code == province
                            for link in ref.new_communes_of(code)):
            out.add(fold_name(district.name.removeprefix(district.type)))
    return frozenset(out)


def _names_a_place(folded: str, province: str | None) -> bool:
    """Do some consecutive words (up to four) name a commune or an old district of the province?"""
    if province is None:
        return True
    words = folded.split()
    places, districts = _province_places(province), _province_districts(province)
    return any(" ".join(words[i:i + n]) in places or " ".join(words[i:i + n]) in districts
               for n in range(1, MAX_PLACE_WORDS + 1) for i in range(len(words) - n + 1))


def _exact_place(text: str, province: str | None) -> tuple[tuple[str, ...], str | None] | None:
    """(new communes, old commune) of a commune of the province named exactly (with or without its unit word)."""
    if province is None:
        return None
    return _province_places(province).get(_UNIT_PREFIX.sub("", fold_name(text)))


def _name_query(text: str, words: list[str], year: int | None, day: int | None, weight: float,
                place: str = "", communes: tuple[str, ...] = (), conv: Conversion | None = None) -> Query:
    orders = name_orders(words)
    return Query(text, "name", name=" ".join(orders[0]), year=year, day=day, communes=communes, place=place,
                 conversion=conv, old_commune=conv.old_commune_code if conv and communes else None, weight=weight)


def _name_with_place(text: str, rest: str, year: int | None, day: int | None, province: str | None) -> list[Query]:
    """``Nguyễn Văn Hùng, Bình Quế`` (a comma) or ``Hùng Bình Quế Thăng Bình`` (the last words name a commune)."""
    if "," in rest:
        return _name_comma_place(text, rest, year, day, province)
    return _name_then_place(text, rest, year, day, province)


def _name_comma_place(text: str, rest: str, year: int | None, day: int | None, province: str | None) -> list[Query]:
    head, tail = rest.split(",", 1)
    words = plain_words(head)
    if not words or _NUMBER.search(head):
        return []
    found = _comma_place(tail, province)
    if found:
        weight = 0.95 * max(name_likeness(words), 0.5)
        query = _name_query(text, words, year, day, weight, tail.strip(), found[1], found[0])
        return [replace(query, wider=found[2], old_commune=found[3])]
    if name_likeness(words) > 0.5:
        return [_name_query(text, words, year, day, 0.5 * name_likeness(words))]  # a place not understood
    return []


def _comma_place(tail: str, province: str | None
                 ) -> tuple[Conversion | None, tuple[str, ...], tuple[str, ...], str | None] | None:
    """(conversion, communes, communes reached through a district, old commune when the tail names one only) of
    the place after a comma. A commune of the province named exactly comes in as well: typed without diacritics it
    stands for every commune that folds alike ("Tam Thanh": Tam Thanh and Tam Thạnh), and a commune named like a
    province ("Bình Định", Thăng Bình) is no province here."""
    found = _place(tail, province, districts=True)
    exact = _exact_place(tail, province)
    if exact is None or (found and has_diacritics(tail)):
        return (*found, found[0].old_commune_code) if found else None
    if found is None:
        return None, exact[0], (), exact[1]
    conv, codes, wider = found
    more = tuple(c for c in exact[0] if c not in codes)
    return conv, codes + more, wider, None if more else conv.old_commune_code or exact[1]


def _name_then_place(text: str, rest: str, year: int | None, day: int | None, province: str | None) -> list[Query]:
    raw_words = rest.split()
    for n in range(min(MAX_PLACE_WORDS, len(raw_words) - 1), 0, -1):
        head, tail = " ".join(raw_words[:-n]), " ".join(raw_words[-n:])
        words = plain_words(head)
        if n == 1 and len(words) < 2:
            continue  # "Trần Hùng": one name word and one place word is a name
        if _UNIT_WORDS.search(head.lower()) or (len(words) == 1 and words[0] in FAMILY_NAMES):
            continue  # "phường | Hải Châu"; a family name alone is no one to look for ("Nguyễn | Văn Hùng")
        exact = _exact_place(tail, province)
        if exact and name_likeness(words) > 0.5:
            # a one-word commune (Dang, Lăng, Tư, Ba) is as often a given name: the whole name reads first
            weight = name_likeness(words) * (0.75 if n == 1 else 1.0)
            query = _name_query(text, words, year, day, weight, tail, exact[0])
            return [replace(query, old_commune=exact[1])]
    return []


def _person_then_place(rest: str, placed: list[Query], province: str | None) -> bool:
    """``Nguyễn Thị Phong, Trà My``: a name + place reading exists and what comes before the place has no unit word,
    no number and is no commune itself — the address reading of such a text is weak (searched only when the name
    found no one: its containment scan of a whole commune's addresses costs tens of milliseconds for nothing)."""
    head = rest.split(",", 1)[0]
    return bool(placed) and not (_UNIT_WORDS.search(head.lower()) or _UNIT_WORDS_FOLDED.search(fold_name(head))
                                 or _NUMBER.search(head) or _exact_place(head, province))


def _text_readings(text: str, province: str | None) -> list[Query]:
    rest, year, day = _birth(text)
    folded = fold_name(rest)
    lowered = rest.lower()
    unit_words = bool(_UNIT_WORDS.search(lowered) or _UNIT_WORDS_FOLDED.search(folded))
    has_digits = bool(_NUMBER.search(rest))  # a house or hamlet number; VNI keystrokes (Tra6n2) are not
    name_digits = bool(_NUMBER.search(rest.split(",", 1)[0]))  # "…, Xã Quế Xuân 1": the number is the place's
    out: list[Query] = []
    if not folded:
        return out
    org_words = {m.group(1) for m in _ORG_WORDS.finditer(folded)}
    org = bool(org_words - _ORG_AMBIGUOUS)  # sure: the name readings are not made
    spelt_org = not org and bool(_ORG_SPELT.search(lowered))  # "Trung tâm …" or "Trần Trung Tâm": both searched
    if org or spelt_org:
        out.append(Query(text, "org", name=folded, weight=1.0 if org else 0.9, strong=True))
    words = plain_words(rest)
    placed = _name_with_place(text, rest, year, day, province) if not (org or name_digits) else []
    if not has_digits and "," not in rest and not org:
        likeness = name_likeness(words)
        weight = likeness * (0.5 if unit_words else 1.0) * (0.8 if placed else 1.0)
        if weight > 0.3:
            out.append(_name_query(text, words, year, day, weight))
    out += placed
    strong = unit_words or "," in rest or has_digits
    if not org and strong:
        conv = convert_address(rest)
        if conv.status not in ("not_found", "invalid"):
            weak = _person_then_place(rest, placed, province)
            out.append(Query(text, "address", name=folded, year=year, conversion=conv, place=rest,
                             weight=WEAK if weak else 1.0, strong=not weak))
    elif not org and _names_a_place(fold_name(decode_name(rest)), province):
        # maybe an address: converted only when searched (the parser's fuzzy tries cost milliseconds)
        out.append(Query(text, "address", name=folded, year=year, place=rest, weight=WEAK))
    if not (org or spelt_org) and year is None and len(folded) >= 4 and not has_digits:
        out.append(Query(text, "org", name=folded, weight=WEAK))
    return out


def readings(raw: str | None, province: str | None = None) -> list[Query]:
    """Every plausible reading of the search box, most plausible first (``[Query(kind="empty")]`` when blank);
    ``province``: the merged province, whose communes a name + place reading looks in."""
    text = clean(raw)
    if not text:
        return [Query("", "empty")]
    found = _exact(text)
    if not found:
        parcel = _named_parcel(text)
        found = [parcel] if parcel else _text_readings(text, province)
    if not found:  # nothing recognisable: still searched as a name, so the clerk sees "no such person"
        rest, year, day = _birth(text)
        found = [Query(text, "name", name=" ".join(plain_words(rest)), year=year, day=day, weight=0.2)]
    ordered = sorted(enumerate(found), key=lambda p: (-p[1].weight, p[0]))
    return [q for _, q in ordered]


def reading_as(raw: str | None, slug: str, province: str | None = None) -> Query | None:
    """The reading of this slug (the one-click switch), or None when the text cannot be read that way."""
    return next((q for q in readings(raw, province) if q.slug == slug), None)


def with_weight(q: Query, weight: float) -> Query:
    return replace(q, weight=weight)


__all__ = ["FAMILY_NAMES", "KINDS", "MAX_QUERY", "Query", "clean", "reading_as", "readings", "with_weight"]
