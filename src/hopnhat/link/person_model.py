"""The person linkage model: Splink comparisons, blocking and training rules, each a piece of Vietnamese knowledge.

Everything here is plain SQL on the features of :mod:`hopnhat.link.person_features`, written so that the same text
runs on DuckDB and on Spark (``levenshtein``, ``damerau_levenshtein``, ``instr``, ``||``, ``abs``).

Comparisons (first matching level wins; m/u estimated unsupervised, see :mod:`hopnhat.link.engine`):

``name`` (họ + tên, term-frequency adjusted on ``fg`` so two "Nguyễn … Hùng" agree less than two "Tôn Nữ … Diệu")
    same with diacritics → same folded (diacritics lost, upper case, old tone placement ``Hoà``/``Hòa``, ``Đ``) →
    same words in another order → given name one slip (one of the two no real name) → given name one edit (two
    real names) → family name one edit away → all words, sorted, one or two slips apart (a slip and another order
    together) → a name without middle name whose words are in the other (:func:`within`) → different.
``middle`` (tên đệm)
    missing on either side, or a name split apart (the name's "all words" level), is *no evidence* (dropped middle
    names are common) → same → one middle name the other's last words (a middle word added before it: "Văn Minh"
    beside "Minh"; its own weight) → different.
``birth_date``
    same exact date → day and month swapped → same year where one side is only a year or a 01/01 placeholder →
    same year → lunar year (a January/February birth one year earlier; the month from whichever side shows it) → one
    year apart with no month shown on either side → one year apart → different.
``sex`` (its "different" may not weigh below −2 bits: see :data:`hopnhat.link.persons.MIN_WEIGHT`).
``phone`` (``0`` + 9 digits whatever the written form): same, with agreeing given names and generation → same
    number only (a household's phone) → different.
``id`` (CCCD / CMND)
    same number → one keying slip → two different valid CCCDs, or two valid CCCDs one slip apart on the records of two
    people (another full birth date, or two real given names: :data:`OTHER_PERSON`; also hard rules:
    :mod:`hopnhat.link.cluster`, :func:`hopnhat.link.household.slip_apart`) →
    two different CCCDs, one not valid → a CCCD whose year contradicts the other record by more than a year → different
    number of the same kind → otherwise no evidence: a CMND against a CCCD proves nothing by itself.
``address`` (on the NEW commune after conversion)
    same new commune and the same hamlet / residential group / street below it (and the same old commune when both
    name one: each merged commune brought its own hamlet numbers) → same new commune (another hamlet:
    never below 0 bits, :data:`hopnhat.link.persons.MIN_WEIGHT`) → one record's split-commune candidates contain the
    other's commune (partial agreement) →
    different → missing.

Blocking (a pair is scored when any rule holds; never on family name alone, ~38 % are Nguyễn): see :data:`BLOCKING`
and docs/linkage.md — every rule an equality on a derived key (name parts, date parts, ID slices, commune). The keys
of ID, phone and rare-name rules are as many as the people; those of name and date parts are not, and their pairs grow
with the square of the population once a block holds more than one person (1.44 candidate pairs per record at
145,000 records, 8.44 at 1.45 M on the independent population since session 10; 1.66 and 8.87 before).
"""

from __future__ import annotations

from typing import Any

MODEL_VERSION = "person-6"


def _lvl(sql: str, label: str, tf: str | None = None, null: bool = False) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if tf:
        level["tf_adjustment_column"] = tf
        level["tf_adjustment_weight"] = 1.0
    if null:
        level["is_null_level"] = True
    return level


_ELSE = {"sql_condition": "ELSE", "label_for_charts": "different"}

# All the words of the two names, sorted, one or two slips apart: a slip together with another word order or split
# ("Hng Nhat Nguyen" / "Nguyễn Nhật Hưng", "TÔN NNỮ THANH HIỆP" / "Tôn Nữ Thanh Hiệp", "Phương Thị Vũũ" / "Vũ Thị
# Phương"), where family and given name, split apart, both disagree.
_WORDS_NEAR = "damerau_levenshtein(name_sorted_l, name_sorted_r) <= 2"
# The name level "all words, any order, one or two slips" counts the middle name's words too: where the name reaches
# it (neither the given name nor the family name a slip from the other's, the other part the same), the middle name
# split from a turned or slipped name is no evidence (the family or the given name may agree by chance of the split:
# "Diuệ Thị Thanh Lê" is read Lê | Diuệ Thị | Thanh beside Lê | Thị Thanh | Diệu).
_GIVEN_FAR = "damerau_levenshtein(giv_l, giv_r) > 1"
# Both given names real names (person_features.giv_real: frequent in the data), judged with diacritics when both
# records carry them: "Nhân" / "Ngân", "Hải" / "Hảo" one edit apart are two names as often as a slip; "Hùnf" / "Hùng"
# (one of them no real name) is a slip.
_BOTH_REAL = ("coalesce(CASE WHEN giv_acc_l IS NOT NULL AND giv_acc_r IS NOT NULL "
              "THEN giv_acc_real_l AND giv_acc_real_r ELSE giv_real_l AND giv_real_r END, false)")


def within(a: str, b: str, column: str = "{col}{side}") -> str:
    """SQL: record ``a``'s name has no middle name and both its words are words of ``b``'s name, in any order — a
    dropped middle name together with another word order or split ("Trần Ngọc Long" / "LONG TRAN", "Công Quang
    Hoàng" / "Công Hoàng", "Huỳnh Anh Hiếu" / "Huỳnh Anh"). ``a`` and ``b`` are the column suffixes (``_l``,
    ``_r``) or, with ``column="{side}.{col}"``, the table aliases (``l``, ``r``)."""
    def c(col: str, side: str) -> str:
        return column.format(col=col, side=side)

    words = f"' ' || {c('name_sorted', b)} || ' '"
    return (f"({c('mid', a)} IS NULL AND {c('fam', a)} <> {c('giv', a)} "
            f"AND instr({words}, ' ' || {c('fam', a)} || ' ') > 0 AND instr({words}, ' ' || {c('giv', a)} || ' ') > 0)")
_FAMILY_FAR = "damerau_levenshtein(fam_l, fam_r) > 1"
NAME = {
    "output_column_name": "name",
    "comparison_description": "family + given name on folded text, order repaired",
    "comparison_levels": [
        _lvl("giv_l IS NULL OR giv_r IS NULL", "missing", null=True),
        _lvl("fg_l = fg_r AND giv_acc_l = giv_acc_r", "same with diacritics", tf="fg"),
        _lvl("fg_l = fg_r", "same folded", tf="fg"),
        _lvl("name_sorted_l = name_sorted_r", "same words, other order"),
        # (CASE, not AND: the edit distance only where the other part agrees)
        _lvl(f"CASE WHEN fam_l = fam_r AND NOT ({_BOTH_REAL}) THEN damerau_levenshtein(giv_l, giv_r) <= 1 "
             "ELSE false END", "given name one slip (one of them no real name)"),
        # (two real names: the level above measured the others' edit distance already)
        _lvl(f"CASE WHEN fam_l = fam_r AND {_BOTH_REAL} THEN damerau_levenshtein(giv_l, giv_r) <= 1 ELSE false END",
             "given name one edit"),
        _lvl("CASE WHEN giv_l = giv_r THEN damerau_levenshtein(fam_l, fam_r) <= 1 ELSE false END",
             "family name one edit"),
        _lvl(_WORDS_NEAR, "all words, any order, one or two slips"),
        _lvl(within("_l", "_r") + " OR " + within("_r", "_l"), "a name without middle name, its words in the other"),
        _ELSE,
    ],
}
# One middle name is the other's last words, a word or more added before it ("Văn Minh" beside "Minh", "Thị Mai" beside
# "Mai"): registers add or drop the "Văn" / "Thị" that opens a middle name as they please, while its last word, next
# to the given name, is part of what the person is called: "Thị" beside "Thị Thanh" is two women as a rule. The
# space keeps a word from matching the end of another ("Minh" ends "Thị Anh Minh" as a word, "Thị Xminh" not).
MIDDLE_ADDED = ("CASE WHEN length(mid_l) > length(mid_r) THEN right(mid_l, length(mid_r) + 1) = ' ' || mid_r "
                "WHEN length(mid_r) > length(mid_l) THEN right(mid_r, length(mid_l) + 1) = ' ' || mid_l "
                "ELSE false END")
MIDDLE = {
    "output_column_name": "middle",
    "comparison_description": "middle name (tên đệm); a dropped middle name is no evidence",
    "comparison_levels": [
        # a name written in another word order splits differently: its middle name is no evidence (name covers it)
        # (the edit distances in CASEs, the words' first — its guard refuses most pairs cheaply —, so that they are not
        # computed for every pair: an AND computes both sides)
        _lvl("mid_l IS NULL OR mid_r IS NULL OR (name_sorted_l = name_sorted_r AND fg_l <> fg_r) "
             f"OR (CASE WHEN fg_l = fg_r THEN false "
             f"WHEN fam_l = fam_r THEN (CASE WHEN {_WORDS_NEAR} THEN {_GIVEN_FAR} ELSE false END) "
             f"WHEN giv_l = giv_r THEN (CASE WHEN {_WORDS_NEAR} THEN {_FAMILY_FAR} ELSE false END) "
             f"ELSE {_WORDS_NEAR} END)", "missing",
             null=True),
        _lvl("mid_l = mid_r", "same", tf="mid"),
        # a middle name added ("Nguyễn Văn Minh Đạt" for "Nguyễn Minh Đạt"): its own weight, between same and different
        _lvl(MIDDLE_ADDED, "one middle name the other's last words (a middle word added before it)"),
        _ELSE,
    ],
}
# The lunar record keeps the day and month and loses a year: whichever side shows the month (the other may be a year
# alone or a 01/01 placeholder) shows January or February.
_LUNAR = ("abs(byear_l - byear_r) = 1 AND coalesce(bmonth_l, bmonth_r) <= 2 "
          "AND (dm_l IS NULL OR dm_r IS NULL OR dm_l = dm_r)")
# Neither date shows its month (a year alone, a 01/01 placeholder: "1980" beside "1/1/1981"): a January/February
# birth written in the lunar year cannot be told from another year, as it can where a month shows (_LUNAR).
_VAGUE_YEARS = "abs(byear_l - byear_r) = 1 AND bmonth_l IS NULL AND bmonth_r IS NULL"
BIRTH = {
    "output_column_name": "birth_date",
    "comparison_description": "birth date with day/month swaps, year-only and 01/01 placeholders, lunar years",
    "comparison_levels": [
        _lvl("byear_l IS NULL OR byear_r IS NULL", "missing", null=True),
        _lvl("dob_l = dob_r", "same date"),
        _lvl("byear_l = byear_r AND bmonth_l = bday_r AND bday_l = bmonth_r", "day and month swapped"),
        _lvl("byear_l = byear_r AND (vague_l OR vague_r)", "same year, one date vague"),
        _lvl("byear_l = byear_r", "same year"),
        _lvl(_LUNAR, "lunar year: a January/February birth one year earlier"),
        _lvl(_VAGUE_YEARS, "one year apart, neither date shows the month (a lunar year possible)"),
        _lvl("abs(byear_l - byear_r) <= 1", "one year apart"),
        _ELSE,
    ],
}
SEX = {
    "output_column_name": "sex",
    "comparison_description": "sex",
    "comparison_levels": [
        _lvl("sex_l IS NULL OR sex_r IS NULL", "missing", null=True),
        _lvl("sex_l = sex_r", "same"),
        _ELSE,
    ],
}
# a CCCD's year digits against the other record's birth year (CMND↔CCCD pairs); one year of slack for lunar years.
# Its sex digit is not used: sex is the field registers get wrong most, and must never veto a pair.
# A 9-digit CMND was issued from the age of 14 until 2021 (the CCCD replaced it): no one born after 2007 holds one.
CMND_BORN_BEFORE = 2008
_CROSS_CONTRADICTS = (
    "(cccd_l IS NOT NULL AND cccd_r IS NULL AND cc_year_l IS NOT NULL AND abs(cc_year_l - byear_r) > 1) OR "
    "(cccd_r IS NOT NULL AND cccd_l IS NULL AND cc_year_r IS NOT NULL AND abs(cc_year_r - byear_l) > 1) OR "
    f"(length(cmnd_l) = 9 AND cmnd_r IS NULL AND byear_r >= {CMND_BORN_BEFORE} "
    f"AND coalesce(byear_l, 0) < {CMND_BORN_BEFORE}) OR "
    f"(length(cmnd_r) = 9 AND cmnd_l IS NULL AND byear_l >= {CMND_BORN_BEFORE} "
    f"AND coalesce(byear_r, 0) < {CMND_BORN_BEFORE})"
)
# Two records of two people: their full birth dates show another day and month, more than a keying slip apart (``dm``
# is day and month in either order: a swap or a lunar year keeps it, a year alone or a 01/01 placeholder has none;
# 28/02 beside 29/02 is a slip, or a lunar year of a 29 February); or both records write two real given names
# (with diacritics, person_features.giv_acc_real: a slip or keystrokes left in — "Diệuu", "DDNIHJ" — give no real
# name) more than a slip apart, neither a word of the other name nor a slip of its family name, and the names'
# words, sorted, no closer than the given names (a name turned, split or given a middle name stays one name: read
# from a turned name, "Diệu Thị Nguyễn", the given name may be "Thị"). Written for pairs whose CCCDs are one keying
# slip apart. The family and given names are read as the first and last words of ``fg``, not from ``fam`` / ``giv``:
# Splink holds a comparison fixed in a training session whose rule reads one of its columns, and the first session's
# rule reads them (the ID's m would never be estimated).
_WORD = "regexp_extract(fg{side}, '{pattern}', 1)"
_GIVEN_L, _GIVEN_R = (_WORD.format(side=side, pattern="([^ ]+)$") for side in ("_l", "_r"))
_FAMILY_L, _FAMILY_R = (_WORD.format(side=side, pattern="^([^ ]+) ") for side in ("_l", "_r"))
# (STRING, not VARCHAR: the same text on DuckDB and on Spark, whose VARCHAR needs a length)
_DAY_MONTH = "lpad(CAST(bday{side} AS STRING), 2, '0') || lpad(CAST(bmonth{side} AS STRING), 2, '0')"
_DATES_FAR = (f"dm_l <> dm_r AND damerau_levenshtein({_DAY_MONTH.format(side='_l')}, "
              f"{_DAY_MONTH.format(side='_r')}) > 1")
_GIVEN_DL = f"damerau_levenshtein({_GIVEN_L}, {_GIVEN_R})"
_NAMES_FAR = (f"coalesce(giv_acc_real_l AND giv_acc_real_r, false) AND {_GIVEN_DL} > 1 "
              f"AND instr(' ' || name_sorted_r || ' ', ' ' || {_GIVEN_L} || ' ') = 0 "
              f"AND instr(' ' || name_sorted_l || ' ', ' ' || {_GIVEN_R} || ' ') = 0 "
              f"AND damerau_levenshtein({_GIVEN_L}, {_FAMILY_R}) > 1 "
              f"AND damerau_levenshtein({_FAMILY_L}, {_GIVEN_R}) > 1 "
              # (> 2 first: sqlguards.fast_sql's name distance stands 3 for any distance of 3 or more)
              "AND (damerau_levenshtein(name_sorted_l, name_sorted_r) > 2 "
              f"OR damerau_levenshtein(name_sorted_l, name_sorted_r) >= {_GIVEN_DL})")
OTHER_PERSON = f"(({_DATES_FAR}) OR ({_NAMES_FAR}))"
# A valid CCCD has on the order of one valid neighbour one keying slip away among the people of its province, sex and
# birth year (its last six digits are random there): two valid CCCDs one slip apart in their last six digits on the
# records of two people (OTHER_PERSON) are two people's numbers, not a slip (blind population at 1 M, session 17: 69
# of 148 false pairs). The slip is found with digit slices (:data:`SLIP_IN_SERIAL`: one digit of the last six
# changed, or two neighbours swapped), not an edit distance, in a CASE of its own: the names and dates are read only
# for such pairs, also by the scoring bound (bound.py), which computes both sides of an AND for every candidate pair
# (a guard that held for the blocking rules' CCCD slices cost +4.5 CPU-s of scoring at 1 M).
def _serial_slip() -> str:
    """SQL: ``cccd_l`` and ``cccd_r`` differ by one digit of the last six, or two neighbours of them swapped."""
    def part(side: str, start: int, length: int) -> str:
        return f"substr(cccd{side}, {start}, {length})"

    changed = [f"{part('_l', 7, i - 7)} || {part('_l', i + 1, 12 - i)} = {part('_r', 7, i - 7)} || "
               f"{part('_r', i + 1, 12 - i)}" for i in range(7, 13)]
    swapped = [f"({part('_l', 7, i - 7)} || {part('_l', i + 2, 11 - i)} = {part('_r', 7, i - 7)} || "
               f"{part('_r', i + 2, 11 - i)} AND {part('_l', i, 1)} = {part('_r', i + 1, 1)} "
               f"AND {part('_l', i + 1, 1)} = {part('_r', i, 1)})" for i in range(7, 12)]
    return " OR ".join(changed + swapped)


# (first a cheap test that one slip in the last six digits passes — the first nine digits the same, or the last
# three, or the first eight and the last two for a swap of the 9th and 10th — and that few other pairs do)
_SERIAL_NEAR = ("cc_year_l IS NOT NULL AND cc_year_r IS NOT NULL AND cccd_l <> cccd_r "
                "AND substr(cccd_l, 1, 6) = substr(cccd_r, 1, 6) AND (substr(cccd_l, 1, 9) = substr(cccd_r, 1, 9) "
                "OR substr(cccd_l, 10, 3) = substr(cccd_r, 10, 3) "
                "OR (substr(cccd_l, 1, 8) = substr(cccd_r, 1, 8) AND substr(cccd_l, 11, 2) = substr(cccd_r, 11, 2)))")
SLIP_IN_SERIAL = f"(CASE WHEN {_SERIAL_NEAR} THEN ({_serial_slip()}) ELSE false END)"
# (``IS TRUE``, the same as the CASE itself, which is never null: the scoring bound reads a test it does not know as
# "possible, never certain" without computing it — the bound then is the one before this rule, and as cheap; the
# slip test beside every candidate pair in the bound cost 3-6 CPU-s at 1 M blind, lane 1 under load 4-6)
SLIP_OTHER_PERSON = f"((CASE WHEN {SLIP_IN_SERIAL} THEN coalesce({OTHER_PERSON}, false) ELSE false END) IS TRUE)"
# two valid 12-digit CCCDs more than one keying slip apart, or one slip apart on two people's records: two people
# (also a hard rule, see cluster.py; the slip's pairs are kept apart by household.slip_apart)
CONFLICTING_CCCD = ("cccd_l <> cccd_r AND cc_year_l IS NOT NULL AND cc_year_r IS NOT NULL "
                    f"AND (CASE WHEN damerau_levenshtein(cccd_l, cccd_r) > 1 THEN true ELSE {SLIP_OTHER_PERSON} END)")
ID = {
    "output_column_name": "id",
    "comparison_description": "CCCD / CMND; CMND against CCCD is no evidence unless the CCCD's digits contradict",
    "comparison_levels": [
        _lvl("(cccd_l IS NULL OR cccd_r IS NULL) AND (cmnd_l IS NULL OR cmnd_r IS NULL) "
             f"AND NOT coalesce({_CROSS_CONTRADICTS}, false)", "no comparable number", null=True),
        _lvl("cccd_l = cccd_r OR cmnd_l = cmnd_r", "same number"),
        # (CASE: the names' edit distances only where the CCCDs are one slip apart)
        _lvl(f"CASE WHEN damerau_levenshtein(cccd_l, cccd_r) = 1 THEN NOT {SLIP_OTHER_PERSON} ELSE false END "
             "OR damerau_levenshtein(cmnd_l, cmnd_r) = 1", "one digit off"),
        _lvl(CONFLICTING_CCCD, "two different valid CCCDs (or one slip apart on two people's records)"),
        _lvl("cccd_l <> cccd_r", "two different CCCDs (one not valid)"),
        _lvl(_CROSS_CONTRADICTS, "CCCD digits contradict the other record"),  # or a CMND a child born after 2007
        _ELSE,
    ],
}
# A phone shared by a household (siblings, parents) says little unless the given names agree.
# A parent and a child may even share the given name: the birth years must not be apart either.
_GIVEN_AGREES = ("(giv_l = giv_r OR name_sorted_l = name_sorted_r OR damerau_levenshtein(giv_l, giv_r) <= 1) "
                 "AND coalesce(abs(byear_l - byear_r) <= 1, true)")
PHONE = {
    "output_column_name": "phone",
    "comparison_description": "phone number, 0 + 9 digits",
    "comparison_levels": [
        _lvl("phone_l IS NULL OR phone_r IS NULL", "missing", null=True),
        _lvl(f"CASE WHEN phone_l = phone_r THEN coalesce({_GIVEN_AGREES}, true) ELSE false END", "same"),
        _lvl("phone_l = phone_r", "same phone, another given name or generation (a household's phone)"),
        _ELSE,
    ],
}
ADDRESS = {
    "output_column_name": "address",
    "comparison_description": "permanent address on the NEW commune; split-commune candidates agree partially",
    "comparison_levels": [
        _lvl("(addr_l IS NULL AND addr_cands_l IS NULL) OR (addr_r IS NULL AND addr_cands_r IS NULL)", "missing",
             null=True),
        # (one hamlet only within one old commune, when both records name one: person_features.addr_old)
        _lvl("addr_l = addr_r AND addr_detail_l = addr_detail_r AND coalesce(addr_old_l = addr_old_r, true)",
             "same new commune, same hamlet or street"),
        _lvl("addr_l = addr_r", "same new commune"),
        _lvl("instr(addr_cands_l, ';' || addr_r || ';') > 0 OR instr(addr_cands_r, ';' || addr_l || ';') > 0 "
             "OR addr_cands_l = addr_cands_r", "split commune: candidate agrees"),
        _ELSE,
    ],
}
COMPARISONS = (NAME, MIDDLE, BIRTH, SEX, ID, PHONE, ADDRESS)

SLIP_NAME = 2  # records: a full name this rare beside a frequent one of the same family and middle name is a slip
_MIDDLE_AGREES = "(l.mid = r.mid OR l.mid IS NULL OR r.mid IS NULL)"
# (the same test written as an OR of its two mirrored halves, so that the rule and its mirror become one join: joins.py)
_MIDDLE_WITHIN_LR = ("(right(' ' || l.mid, length(r.mid) + 1) = ' ' || r.mid "
                     "OR right(' ' || r.mid, length(l.mid) + 1) = ' ' || l.mid)")
_HAMLET = "l.addr = r.addr AND l.addr_detail = r.addr_detail"
_YEAR_OR_NONE = "(l.byear IS NULL OR r.byear IS NULL OR l.byear = r.byear)"
_INITIAL = "substr(l.giv, 1, 1) = substr(r.giv, 1, 1)"  # the given name's first letter: rarely the one mistyped
# Rules whose pairs other rules compare anyway were dropped (session 10: no true pair at 100,000 or 1 M independent
# people that only they compared, 1.9 M candidate pairs at 1 M): family + middle + year + day/month, the last six
# digits of a CCCD, the last six of a CMND, family + middle + year + commune with a vague date, family + given + hamlet
# with a date missing. A record without a date but with a valid CCCD carries the CCCD's year (person_features.py), so
# the rules on a year with a vague date compare it too.
BLOCKING = (
    # the same CCCD or CMND: the slip rules below (first nine digits …) hold them; each rule is one more join
    "l.phone = r.phone",
    # a vague date on either side: one rule per side, so the filter runs before the join (a few % of records)
    f"l.fam = r.fam AND l.giv = r.giv AND l.byear = r.byear AND l.vague AND {_MIDDLE_AGREES}",
    f"l.fam = r.fam AND l.giv = r.giv AND l.byear = r.byear AND r.vague AND {_MIDDLE_AGREES}",
    # the same with a middle word added on one record ("Nguyễn Văn Minh Đạt" / "Nguyễn Minh Đạt"): one middle name
    # the other's last words (the middle comparison's level), in one commune. In any commune (and the words anywhere
    # in the other middle name) it compared a third more true pairs (blind, 100,000 people: 23 against 17) for 18
    # times the candidate pairs (393 against 22; the realistic profile 1,426 against 26: namesakes "Nguyễn Thị Lan" /
    # "Nguyễn Thị Thanh Lan" born in one year)
    f"l.fam = r.fam AND l.giv = r.giv AND l.byear = r.byear AND l.addr = r.addr AND l.vague AND {_MIDDLE_WITHIN_LR}",
    f"l.fam = r.fam AND l.giv = r.giv AND l.byear = r.byear AND l.addr = r.addr AND r.vague AND {_MIDDLE_WITHIN_LR}",
    "l.name_sorted = r.name_sorted AND l.byear = r.byear AND l.dm = r.dm",
    # all name words in another order with a vague date (a two-word middle name — the public name pool's "Mai Thảo"
    # — turned with the given name: "Nguyễn Bích Mai Thảo" beside "Nguyễn Mai Thảo Bích" born 1950), any commune; one
    # rule per side. Session 12, 1 M realistic profile: blocking 99.785 % → see docs/linkage.md; at 100,000 people
    # 25 true pairs no other rule compares for 172 candidate pairs (harsh profile: 4 for 206)
    "l.name_sorted = r.name_sorted AND l.byear = r.byear AND l.vague",
    "l.name_sorted = r.name_sorted AND l.byear = r.byear AND r.vague",
    # a lunar year (a January/February birth one year earlier), with the day and month or as a year alone
    "l.fam = r.fam AND l.giv = r.giv AND l.dm = r.dm AND l.byear + 1 = r.byear",
    "l.fam = r.fam AND l.giv = r.giv AND l.dm = r.dm AND r.byear + 1 = l.byear",
    # both dates vague (a year alone, a 01/01 placeholder) and one year apart: the month, and so a lunar year, unknown
    "l.fam = r.fam AND l.giv = r.giv AND l.byear + 1 = r.byear AND l.vague AND r.vague",
    "l.fam = r.fam AND l.giv = r.giv AND r.byear + 1 = l.byear AND l.vague AND r.vague",
    # (the given name may carry a slip: its first letter is kept)
    f"l.fam = r.fam AND {_INITIAL} AND {_MIDDLE_AGREES} AND l.byear + 1 = r.byear AND l.vague AND r.bmonth <= 2",
    f"l.fam = r.fam AND {_INITIAL} AND {_MIDDLE_AGREES} AND r.byear + 1 = l.byear AND r.vague AND l.bmonth <= 2",
    # a lunar year and a slip in the given name
    "l.fam = r.fam AND l.mid = r.mid AND l.dm = r.dm AND l.byear + 1 = r.byear",
    "l.fam = r.fam AND l.mid = r.mid AND l.dm = r.dm AND r.byear + 1 = l.byear",
    # a typo in one part of the name: the other parts and the date, or the commune
    "l.giv = r.giv AND l.dob = r.dob",
    "l.fam = r.fam AND l.dob = r.dob AND substr(l.giv, 1, 1) = substr(r.giv, 1, 1)",
    # a slip in the given name and a vague date, in any commune: the slipped name is carried by SLIP_NAME records at
    # most (one rule per side, so that the filter runs before the join)
    f"l.fam = r.fam AND l.mid = r.mid AND l.byear = r.byear AND {_INITIAL} AND l.name_n <= {SLIP_NAME} "
    "AND (l.vague OR r.vague)",
    f"l.fam = r.fam AND l.mid = r.mid AND l.byear = r.byear AND {_INITIAL} AND r.name_n <= {SLIP_NAME} "
    "AND (l.vague OR r.vague)",
    # an ID number with one keying slip (in the last three digits, or the three between; a slip in the first six —
    # province, century and year — leaves the name and the date to compare the pair)
    "substr(l.cccd, 1, 9) = substr(r.cccd, 1, 9)",
    "substr(l.cccd, 1, 6) = substr(r.cccd, 1, 6) AND substr(l.cccd, 10, 3) = substr(r.cccd, 10, 3)",
    # (CMND: a slip in one of the last three digits, or in the first three)
    "substr(l.cmnd, 1, 8) = substr(r.cmnd, 1, 8)",
    "substr(l.cmnd, 1, 7) || substr(l.cmnd, 9, 1) = substr(r.cmnd, 1, 7) || substr(r.cmnd, 9, 1)",
    "substr(l.cmnd, 1, 6) || substr(l.cmnd, 8, 2) = substr(r.cmnd, 1, 6) || substr(r.cmnd, 8, 2)",
    # no birth date: the whole name in the same commune (any word order)
    "l.name_sorted = r.name_sorted AND l.addr = r.addr AND l.byear IS NULL",
    "l.name_sorted = r.name_sorted AND l.addr = r.addr AND r.byear IS NULL",
    # the same commune: all name words in any order with the years at most one apart (a given name first and a lunar
    # year); the same hamlet: one part of the name mistyped
    "l.name_sorted = r.name_sorted AND l.addr = r.addr AND abs(l.byear - r.byear) <= 1",
    f"l.fam = r.fam AND {_MIDDLE_AGREES} AND {_HAMLET} AND {_INITIAL} AND {_YEAR_OR_NONE}",
    f"l.mid = r.mid AND {_INITIAL} AND {_HAMLET} AND {_YEAR_OR_NONE}",
    # the same exact date in the same commune (a name mistyped AND written in another order, a household's twins)
    "l.dob = r.dob AND l.addr = r.addr",
    # a rare name (all words, any order; person_features.name_rare: at most 60 records carry it, or one in 2,400)
    # with a birth date missing, any address (one rule per side: each filter runs before its join)
    "l.name_sorted = r.name_sorted AND l.name_rare AND r.name_rare AND l.byear IS NULL",
    "l.name_sorted = r.name_sorted AND l.name_rare AND r.name_rare AND r.byear IS NULL",
    # a CCCD with one keying slip in its first six digits (province, century, year; the slip rules above cover the
    # last six): the last six digits and the given name
    "substr(l.cccd, 7, 6) = substr(r.cccd, 7, 6) AND l.giv = r.giv",
)
# EM sessions: each comparison is estimated in at least one (those in the rule are held fixed there), and a later
# session's estimates replace an earlier one's. No session blocks on the phone: a phone's pairs are mostly one
# household (siblings, parents), and EM there learns the household — same hamlet, same family name —, not the person.
# Same CCCD comes last: its pairs are nearly all one person, so it has the final word on every comparison but the ID.
TRAINING = (
    "l.fam = r.fam AND l.giv = r.giv AND l.dob = r.dob",
    "l.cccd = r.cccd",
)
# A list without ID numbers (a birth register, an old clerk's list): the CCCD session blocks no pair, so the name and
# date levels' m are trained on the records of one full birth date in one new commune instead (a rule that reads
# neither name: Splink holds fixed the comparisons a session's rule reads).
TRAINING_FALLBACK = (("l.cccd = r.cccd", "l.dob = r.dob AND l.addr = r.addr"),)
# Rules that admit almost no false positives, to estimate the share of matching pairs (and its assumed recall).
PRIOR_RULES = ("l.cccd = r.cccd AND l.cccd_ok AND r.cccd_ok", "l.cmnd = r.cmnd AND l.fg = r.fg")
# ... and without ID numbers: the same name (all its words), full birth date and new commune.
PRIOR_FALLBACK = ("l.name_sorted = r.name_sorted AND l.dob = r.dob AND l.addr = r.addr",)
PRIOR_RECALL = 0.6
# Deterministic link, before and regardless of the model: same CCCD, valid and agreeing with both records' birth
# data, and the same given name or all name words a slip or two apart (a typo in one CCCD can give another person's
# number: "Nguyễn" is no safeguard).
DETERMINISTIC = ("l.cccd = r.cccd AND l.cccd_ok AND r.cccd_ok "
                 "AND (l.giv = r.giv OR damerau_levenshtein(l.name_sorted, r.name_sorted) <= 2)")


def settings(prior: float | None = None) -> dict[str, Any]:
    """The Splink settings of the person model."""
    out: dict[str, Any] = {
        "link_type": "dedupe_only",
        "unique_id_column_name": "uid",
        "comparisons": [dict(c) for c in COMPARISONS],
        "blocking_rules_to_generate_predictions": list(BLOCKING),
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
        "em_convergence": 0.0001,
        "max_iterations": 40,
    }
    if prior is not None:
        out["probability_two_random_records_match"] = prior
    return out
