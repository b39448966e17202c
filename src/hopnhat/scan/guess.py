"""A sampled table mapped onto the unified model: ``maps_to``, ``source_key`` and a spec for every field whose
column the headers name (:data:`hopnhat.link.headers.FIELD_HEADERS`), typed from the schema and the sample values.

Every guess the scan is unsure of carries its reason (``check``), written as ``# kiểm tra: …`` beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hopnhat.errors import InputError
from hopnhat.i18n import tr
from hopnhat.link.headers import FIELD_HEADERS, header_keys, resolve
from hopnhat.model.schema import ENTITIES, FIELDS
from hopnhat.model.schema import field as schema_field
from hopnhat.scan.sample import JOIN, Sampled
from hopnhat.scan.values import date_formats, decimal_mark, looks_like_sex, status_code, unique, value_kind

MIN_FIELDS = 2  # fields a table must show to be mapped at all
SURE_FIELDS = 3  # fewer: the entity is written with a check
NEARLY_UNIQUE = 0.9  # share of distinct values a key-like column needs when no column is unique in the sample
_KEYISH = ("id", "ma", "stt", "code", "key", "so dang ky", "so ho so", "ma so")
_CURSOR = ("ngay cap nhat", "updated at", "thoi gian cap nhat", "last modified", "modified at", "ngay sua")
_EVENT_KINDS = (("khai sinh", "birth"), ("ket hon", "marriage"), ("khai tu", "death"), ("chet", "death"),
                ("ks", "birth"), ("kh", "marriage"), ("kt", "death"))
_CODES = {"KS": "birth", "KH": "marriage", "KT": "death"}


@dataclass
class Mapped:
    """One field of the entity: its spec as merger.yaml writes it, the source columns it reads, what to check."""

    spec: dict[str, Any]
    columns: tuple[str, ...]
    check: str | None = None


@dataclass
class Guess:
    """What the scan makes of one sampled table."""

    sampled: Sampled
    maps_to: str | None = None
    entity_check: str | None = None
    fields: dict[str, Mapped] = field(default_factory=dict)
    source_key: str | None = None
    key_check: str | None = None
    cursor: str | None = None
    unmapped: list[str] = field(default_factory=list)
    scores: dict[str, int] = field(default_factory=dict)
    evidence: str | None = None  # a split-commune list (merger.yaml ``evidence``), not a table
    attachments: list[str] = field(default_factory=list)  # columns naming files (merger.yaml ``files.columns``)

    @property
    def checks(self) -> list[str]:
        return [c for c in (self.entity_check, self.key_check, *(m.check for m in self.fields.values())) if c]


def column_keys(sampled: Sampled, column: str) -> tuple[str, ...]:
    """The folded forms a column is recognised by: its (repaired) name, camelCase apart, and the lower part of a
    two-row header (``Ngạch - Mã ngạch`` → ``ma ngach``)."""
    name = sampled.readable.get(column, column)
    keys = header_keys(name)
    if JOIN in name:
        keys += header_keys(name.split(JOIN)[-1])
    return keys


def _rank(keys: tuple[str, ...], synonyms: tuple[str, ...]) -> int | None:
    """The best rank among ``synonyms`` of a header's keys; a key written without separators (a dBase/FoxPro field
    name: ``NGAYDANGKY``, at most 10 letters) is compared with the synonyms' letters alone."""
    ranks = [synonyms.index(k) for k in keys if k in synonyms]
    for key in (k for k in keys if " " not in k):
        ranks += [i for i, synonym in enumerate(synonyms) if " " in synonym and synonym.replace(" ", "") == key]
    return min(ranks) if ranks else None


def match_fields(sampled: Sampled, entity: str) -> dict[str, str]:
    """Field → the column its headers name (each column once; the best-ranked synonym, then the first column)."""
    keys = {c: column_keys(sampled, c) for c in sampled.columns}
    found: dict[str, str] = {}
    fields = FIELD_HEADERS[entity]
    order = sorted(fields, key=lambda f: f not in ("cccd", "cmnd"))  # a CCCD column and a CMND column: both apart
    for name, synonyms in ((f, fields[f]) for f in order):
        ranked = [(r, i, c) for i, c in enumerate(sampled.columns)
                  if c not in found.values() and (r := _rank(keys[c], synonyms)) is not None]
        if ranked:
            found[name] = min(ranked)[2]
    return _one_id(found) if entity == "person" else found


def _one_id(found: dict[str, str]) -> dict[str, str]:
    """CCCD and CMND apart only when the table keeps both; one ID column alone is ``id_number``."""
    apart = [k for k in ("cccd", "cmnd") if k in found]
    if len(apart) == 1:
        column = found.pop(apart[0])
        found.setdefault("id_number", column)
    return {f: found[f] for f in FIELD_HEADERS["person"] if f in found}


def _scores(sampled: Sampled) -> dict[str, dict[str, str]]:
    entities = ("dossier_history",) if sampled.explode else tuple(e for e in ENTITIES if e != "dossier_history")
    return {e: match_fields(sampled, e) for e in entities}


def choose_entity(sampled: Sampled) -> tuple[str | None, dict[str, str], dict[str, int], str | None]:
    """The entity whose fields the headers name most (ties: the model's order), its matches, every entity's score
    and what to check."""
    matches = _scores(sampled)
    scores = {e: len(m) for e, m in matches.items()}
    best = max(matches, key=lambda e: scores[e])  # first of the model's order among equals
    if scores[best] < MIN_FIELDS:
        return None, {}, scores, None
    rivals = sorted((s, e) for e, s in scores.items() if e != best and s >= scores[best] - 1 and s >= MIN_FIELDS)
    check = None
    if rivals:
        check = tr(f"cũng giống {rivals[-1][1]} ({rivals[-1][0]} trường)",
                   f"also looks like {rivals[-1][1]} ({rivals[-1][0]} fields)")
    elif scores[best] < SURE_FIELDS:
        check = tr(f"chỉ nhận ra {scores[best]} trường", f"only {scores[best]} fields recognised")
    return best, matches[best], scores, check


# --- field specs ---------------------------------------------------------------------------------------------------

def _origin(sampled: Sampled, column: str) -> dict[str, Any]:
    if sampled.kind in ("ndjson", "json", "xml") and "." in column and column not in _top_level(sampled):
        return {"json": column}
    return {"column": column}


def _top_level(sampled: Sampled) -> set[str]:
    return {c for c in sampled.columns if "." not in c}


def field_spec(sampled: Sampled, entity: str, name: str, column: str) -> Mapped:
    """The spec of one field read from one column: typed from the schema, formats and marks from the values."""
    known = schema_field(entity, name)
    assert known is not None
    kind, values = known.default_type, sampled.values.get(column, [])
    spec, check = _origin(sampled, column), None
    if kind in ("date", "datetime"):
        formats, check = date_formats(values)
        spec |= {"type": kind, "formats": _with_fallbacks(sampled, kind, formats)}
    elif kind in ("id_number", "phone", "tax_code", "integer"):
        spec["type"] = kind
    elif kind in ("admin_address", "admin_code"):
        spec |= {"type": kind, "version": "old"}
        check = _code_check(values) if kind == "admin_code" else None
    elif kind == "decimal":
        spec |= {"type": "decimal", "decimal": decimal_mark(values)}
    elif kind == "status":
        spec, check = _status(spec, values)
    elif kind == "sex" and values and not looks_like_sex(values):
        check = tr("giá trị không giống giới tính", "values do not look like a sex")
    return Mapped(spec, (column,), check)


FALLBACK_FORMATS = ("yyyy", "excel_serial")  # a typed register's year-only births, a date Excel kept as a number


def _with_fallbacks(sampled: Sampled, kind: str, formats: list[str]) -> list[str]:
    """A date column of a file people typed (CSV, Excel) also reads the forms a sample may miss: a year alone and
    an Excel serial number (DESIGN §2); a database's or a datetime's formats are what its sample shows."""
    if kind != "date" or sampled.kind not in ("csv", "excel"):
        return formats
    return formats + [f for f in FALLBACK_FORMATS if f not in formats]


def _code_check(values: list[str]) -> str | None:
    if values and not all(v.strip().isdigit() and len(v.strip()) in (2, 3, 5) for v in values[:200]):
        return tr("giá trị không phải mã đơn vị hành chính (2 hoặc 5 chữ số): khai báo một bảng tra (lookups)?",
                  "values are not admin-unit codes (2 or 5 digits): declare a lookup?")
    return None


def _status(spec: dict[str, Any], values: list[str]) -> tuple[dict[str, Any], str | None]:
    distinct = list(dict.fromkeys(v.strip() for v in values))
    if all(v.isdigit() and 1 <= int(v) <= 10 for v in distinct):
        return spec | {"type": "status"}, None
    codes = {v: status_code(v) for v in distinct[:40]}
    mapped = {v: c for v, c in codes.items() if c is not None}
    missing = [v for v, c in codes.items() if c is None]
    check = tr("mã trạng thái quốc gia đoán theo chữ", "national status codes guessed from the words")
    if missing:
        check += tr(f"; chưa rõ: {', '.join(missing[:5])}", f"; unknown: {', '.join(missing[:5])}")
    return spec | {"type": "status", "values": mapped}, check


def short(mapped: Mapped) -> str | dict[str, Any]:
    """The short form (``full_name: HoTen``) when the spec is only a column."""
    return mapped.spec["column"] if list(mapped.spec) == ["column"] else mapped.spec


# --- the whole table -----------------------------------------------------------------------------------------------

def _two_row_person(sampled: Sampled, fields: dict[str, Mapped]) -> None:
    """A form writing the birth date in the column of the person's sex (``Ngày sinh - Nam`` | ``Ngày sinh - Nữ``,
    :func:`hopnhat.link.headers.resolve`): birth date from whichever is filled, sex from which one is."""
    if "birth_date" in fields:
        return
    try:
        found = resolve(sampled.columns, {})
    except InputError:
        return
    dob = found.get("dob")
    if found.sex_from is None or dob is None or len(dob) != 2:
        return
    formats, check = date_formats([v for c in dob for v in sampled.values.get(c, [])])
    formats = _with_fallbacks(sampled, "date", formats)
    fields["birth_date"] = Mapped({"coalesce": list(dob), "type": "date", "formats": formats}, dob, check)
    if "sex" not in fields:
        male, female = found.sex_from
        fields["sex"] = Mapped({"from_nonempty": {male: "Nam", female: "Nữ"}}, (male, female))


def _event_kind(sampled: Sampled, fields: dict[str, Mapped]) -> None:
    """A civil-status table's kind: a ``loai`` column's codes, else the words of its name (``khai_sinh``)."""
    if "kind" in fields:
        column = fields["kind"].columns[0]
        values = {v: _CODES.get(v.strip().upper()) or _kind_of(v) for v in dict.fromkeys(sampled.values[column])}
        fields["kind"] = Mapped({"column": column, "type": "text", "values": {k: v for k, v in values.items() if v}},
                                (column,), tr("loại sự kiện đoán theo mã", "event kinds guessed from the codes"))
        return
    kind = _kind_of(sampled.name) or _kind_of(" ".join(sampled.columns))
    if kind is not None:
        fields["kind"] = Mapped({"const": kind}, ())
    if kind == "marriage" and "event_date" not in fields and "registered_date" in fields:
        fields["event_date"] = Mapped(dict(fields["registered_date"].spec), fields["registered_date"].columns,
                                      tr("ngày kết hôn là ngày đăng ký", "a marriage's date is its registration's"))


def _kind_of(text: str) -> str | None:
    keys = " ".join(header_keys(text))
    return next((kind for words, kind in _EVENT_KINDS if f" {words} " in f" {keys} "), None)


def _lower_names(sampled: Sampled, entity: str, fields: dict[str, Mapped]) -> None:
    """A column under a group title (``Ngạch công chức - Mã ngạch``) recognised by its own part is named by it
    (``Mã ngạch``: the reader knows a column by the lower parts the merger file names) when no other column ends so."""
    lows = [c.split(JOIN)[-1] for c in sampled.columns]
    for name, mapped in fields.items():
        column = mapped.spec.get("column")
        synonyms = FIELD_HEADERS[entity].get(name, ())
        if not isinstance(column, str) or JOIN not in column or _rank(header_keys(column), synonyms) is not None:
            continue
        low = column.split(JOIN)[-1]
        if lows.count(low) == 1 and low not in sampled.columns:
            mapped.spec["column"] = low


_NAME_FIELDS = {"person": ("full_name",), "civil_servant": ("full_name",), "organization": ("representative_name",),
                "parcel": ("holder_name",), "dossier": ("applicant_name",), "dossier_history": ("officer",),
                "document": ("signer",),
                "person_event": ("person_name", "related_person_name", "father_name", "mother_name")}


def _open_fields(entity: str, kind: str, taken: dict[str, Mapped]) -> list[str]:
    """The entity's fields of a value kind that no header named."""
    if kind == "name":
        return [f for f in _NAME_FIELDS.get(entity, ()) if f not in taken]
    wanted = ("date", "datetime") if kind == "date" else (kind,)
    return [f.name for f in FIELDS[entity] if f.default_type in wanted and f.name not in taken]


def _by_values(sampled: Sampled, entity: str, guess: Guess) -> None:
    """A column no header list knows, whose values are plainly people's names, dates, ID numbers or phones, read as
    the entity's one field of that kind no header named — only when exactly one column and one field are left, and
    always with a check (``HỌ VÀ TÊN CHỦ HỘ`` → ``full_name``)."""
    used = {c for m in guess.fields.values() for c in m.columns} | {guess.source_key}
    left = [c for c in sampled.columns if c not in used and not sampled.explode]
    kinds = {c: value_kind(sampled.values.get(c, [])) for c in left}
    for kind in ("name", "date", "id_number", "phone"):
        columns = [c for c in left if kinds[c] == kind]
        fields = _open_fields(entity, kind, guess.fields)
        if len(columns) == 1 and len(fields) == 1:
            mapped = field_spec(sampled, entity, fields[0], columns[0])
            why = tr(f"đoán theo giá trị (cột chứa {_KIND_WORDS[kind]})", f"told by the values ({kind})")
            mapped.check = f"{why}; {mapped.check}" if mapped.check else why
            guess.fields[fields[0]] = mapped


_KIND_WORDS = {"name": "họ tên người", "date": "ngày", "id_number": "số giấy tờ", "phone": "số điện thoại"}


def _keyish(sampled: Sampled, column: str) -> bool:
    """A name a key goes by: ``id``, ``ma …``, ``STT``, ``Số đăng ký`` … (a dBase name, without separators, too:
    ``MACONGDAN``, ``SODANGKY``)."""
    keys = column_keys(sampled, column)
    if any(k == w or k.startswith(w + " ") or k.endswith(" " + w) for k in keys for w in _KEYISH):
        return True
    compact = [k for k in keys if " " not in k]
    return any(k == w.replace(" ", "") for k in compact for w in _KEYISH) or any(
        k.startswith("ma") and len(k) >= 4 and k.isalpha() for k in compact)


def _share(sampled: Sampled, column: str) -> float:
    """Share of the sampled rows whose value in ``column`` is there and seen once."""
    values = sampled.values.get(column, [])
    return len(set(values)) / sampled.rows if sampled.rows else 0.0


def choose_key(sampled: Sampled) -> tuple[str | None, str | None]:
    """The source key: the primary key, else the first key-like column unique in the sample (or nearly: a legacy
    table's duplicates are quarantined), else the first unique column, else the first column (both checked)."""
    if len(sampled.primary_key) == 1:
        return sampled.primary_key[0], None
    keyish = [c for c in sampled.columns if _keyish(sampled, c)]
    whole = [c for c in keyish if unique(sampled.values.get(c, []), sampled.rows)]
    if whole:
        return whole[0], None
    nearly = [c for c in keyish if _share(sampled, c) >= NEARLY_UNIQUE]
    if nearly:
        share = _share(sampled, nearly[0])
        return nearly[0], tr(f"{1 - share:.1%} giá trị trong mẫu trùng hoặc trống (dòng trùng khóa vào cách ly)",
                             f"{1 - share:.1%} of the sample's values repeat or are empty (repeated keys are "
                             "quarantined)")
    others = [c for c in sampled.columns if unique(sampled.values.get(c, []), sampled.rows)]
    if others:
        return others[0], tr("cột đầu tiên không trùng giá trị trong mẫu",
                             "the first column without repeats in the sample")
    first = (keyish or sampled.columns)[0] if keyish or sampled.columns else None
    return first, tr(
        "không cột nào duy nhất trong mẫu: dòng trùng khóa sẽ vào cách ly",
        "no column is unique in the sample: rows with a repeated key go to quarantine")


def _cursor(sampled: Sampled) -> str | None:
    if sampled.kind != "sqlite":
        return None
    return next((c for c in sampled.columns if set(column_keys(sampled, c)) & set(_CURSOR)), None)


def guess_table(sampled: Sampled, parent_key: str | None = None) -> Guess:
    """Entity, key and fields of one sampled table; an exploded list's table reads its parent's key."""
    entity, matches, scores, check = choose_entity(sampled)
    guess = Guess(sampled, entity, check, scores=scores)
    if entity is None:
        guess.unmapped = list(sampled.columns)
        return guess
    guess.fields = {name: field_spec(sampled, entity, name, column) for name, column in matches.items()}
    if entity in ("person", "civil_servant"):
        _two_row_person(sampled, guess.fields)
    if entity == "person_event":
        _event_kind(sampled, guess.fields)
    if sampled.explode:
        guess.fields["parent_key"] = Mapped({"column": parent_key or "?"}, (parent_key or "?",))
    else:
        guess.source_key, guess.key_check = choose_key(sampled)
        guess.cursor = _cursor(sampled)
    _lower_names(sampled, entity, guess.fields)
    _by_values(sampled, entity, guess)
    used = {c for m in guess.fields.values() for c in m.columns} | {guess.source_key, guess.cursor}
    guess.unmapped = [c for c in sampled.columns if c not in used]
    return guess


# --- encodings -----------------------------------------------------------------------------------------------------

SURE_ENCODING = 0.5  # a column detected below this confidence is not declared, only noted


@dataclass
class Encodings:
    """What a table's ``encoding`` and ``column_encodings`` say, and the evidence (per column: encoding, confidence)."""

    encoding: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, tuple[str, float]] = field(default_factory=dict)
    check: str | None = None


def encodings(sampled: Sampled) -> Encodings:
    """The table's encoding: the one of every text column when they agree; UTF-8 with the legacy columns apart when
    a table mixes them (a register typed on two machines); nothing declared for a column the engine is unsure of."""
    found = Encodings(evidence={c: (d.encoding, d.confidence) for c, d in sampled.encodings.items()})
    if sampled.kind == "xml":
        return _xml_encodings(found)
    sure = {c: e for c, (e, conf) in found.evidence.items() if conf >= SURE_ENCODING and e not in ("ascii", "viqr")}
    legacy = [e for e in sure.values() if e != "utf-8"]
    if not legacy:
        found.encoding = "utf-8" if sure and sampled.kind in ("csv", "ndjson", "json") else None
    else:
        found.encoding = "utf-8" if "utf-8" in sure.values() else max(set(legacy), key=legacy.count)
        found.columns = {c: e for c, e in sure.items() if e != found.encoding and e != "utf-8"}
    unsure = [f"{sampled.readable.get(c, c)} ({e} {conf:.2f})" for c, (e, conf) in found.evidence.items()
              if conf < SURE_ENCODING
              and e not in ("utf-8", "ascii") and _family(e) != _family(found.encoding or "utf-8")]
    if unsure:
        found.check = tr(f"mã chưa chắc: {', '.join(unsure[:4])}", f"unsure encodings: {', '.join(unsure[:4])}")
    return found


def _xml_encodings(found: Encodings) -> Encodings:
    """An XML document declares its encoding and the reader decodes it: only the columns that still hold legacy
    text (TCVN3 or VNI declared Windows-1252) are named, for repair."""
    found.columns = {c: e for c, (e, conf) in found.evidence.items()
                     if conf >= SURE_ENCODING and e not in ("utf-8", "ascii", "viqr")}
    return found


def _family(encoding: str) -> str:
    return encoding.split("-")[0] if encoding.startswith("cp1258") else encoding
