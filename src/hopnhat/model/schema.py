"""The unified model: the tables every legacy table is mapped onto, and the physical columns a typed field becomes.

A merger file maps a source table onto one *entity* (``maps_to``) by naming, for each *field* of that entity, where its
value comes from and of which *type* it is. In the store, every entity table has:

- the lineage columns (:data:`LINEAGE`): which source, system, table and row a record came from, the run that loaded
  it and a hash of the raw source row;
- for each field, the columns its type expands to (:func:`physical_columns`), e.g. an ``admin_address`` field
  ``address`` becomes ``address`` (the repaired text) plus ``address_new_province_code``, ``address_new_commune_code``,
  ``address_status``, ``address_candidates``, ``address_reason`` and ``address_old_commune_code``;
- ``golden_id`` (person, organization, parcel), set by linkage.

Admin-unit codes in the store always say their version in the column name (``_old_`` / ``_new_``): old and new 5-digit
codes overlap.
"""

from __future__ import annotations

from dataclasses import dataclass

ENTITIES = ("person", "person_event", "organization", "dossier", "dossier_history", "parcel", "civil_servant",
            "document")

FIELD_TYPES = ("text", "date", "datetime", "integer", "decimal", "id_number", "tax_code", "phone", "sex",
               "admin_code", "admin_address", "status")


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    doc: str


LINEAGE: tuple[Column, ...] = (
    Column("record_id", "VARCHAR", "stable id of the record: '<source>/<table>/<source key>'"),
    Column("src_source", "VARCHAR", "source name in the merger file"),
    Column("src_system", "VARCHAR", "the legacy system (e.g. 'Hệ thống thông tin giải quyết TTHC')"),
    Column("src_province", "VARCHAR", "old province code of the source (version old)"),
    Column("src_table", "VARCHAR", "table name in the merger file"),
    Column("src_key", "VARCHAR", "the row's key in the source system"),
    Column("src_row", "BIGINT", "where a person finds the row: CSV record number (header = 1), Excel sheet row, "
           "NDJSON line, database ordinal in key order"),
    Column("row_hash", "VARCHAR", "hash of the raw source row (before repair)"),
    Column("run_id", "VARCHAR", "the run that loaded this record"),
)


@dataclass(frozen=True)
class Field:
    name: str
    default_type: str
    doc: str


def _f(name: str, default_type: str, doc: str) -> Field:
    return Field(name, default_type, doc)


_NAME = _f("full_name", "text", "full name (họ tên), NFC")
_DOB = _f("birth_date", "date", "date of birth")
_SEX = _f("sex", "sex", "'M' or 'F'")
_ID = _f("id_number", "id_number", "CCCD (12 digits) or CMND (9 digits)")

FIELDS: dict[str, tuple[Field, ...]] = {
    "person": (
        _NAME, _DOB, _SEX, _ID,
        _f("cccd", "id_number", "CCCD when the source keeps it apart"),
        _f("cmnd", "id_number", "old CMND when the source keeps it apart"),
        _f("phone", "phone", "phone number"),
        _f("birth_place", "text", "quê quán / nơi sinh"),
        _f("ethnicity", "text", "dân tộc"),
        _f("address", "admin_address", "permanent address (nơi thường trú)"),
        _f("commune", "admin_code", "commune code of the permanent address"),
    ),
    "person_event": (
        _f("kind", "text", "birth | marriage | death"),
        _f("book_number", "text", "số đăng ký"),
        _f("registered_date", "date", "date of registration"),
        _f("event_date", "date", "date of the event"),
        _f("place", "admin_address", "place of registration"),
        _f("commune", "admin_code", "commune of registration"),
        _f("person_key", "text", "source key of the person"),
        _f("person_name", "text", "name of the person"),
        _f("related_person_key", "text", "source key of the spouse"),
        _f("related_person_name", "text", "name of the spouse"),
        _SEX,
        _f("father_name", "text", "father's name"),
        _f("mother_name", "text", "mother's name"),
    ),
    "organization": (
        _f("tax_code", "tax_code", "mã số thuế (10 digits, 13 for a branch)"),
        _f("name", "text", "registered name"),
        _f("legal_form", "text", "loại hình (TNHH, cổ phần, DNTN …)"),
        _f("registered_date", "date", "date of registration"),
        _f("address", "admin_address", "head-office address"),
        _f("representative_name", "text", "legal representative"),
        _f("representative_id", "id_number", "representative's CCCD/CMND"),
        _f("status", "text", "registration status as the source says"),
    ),
    "dossier": (
        _f("code", "text", "dossier code (mã hồ sơ)"),
        _f("procedure_code", "text", "TTHC procedure code"),
        _f("procedure_name", "text", "TTHC procedure name"),
        _f("receiving_unit", "admin_code", "receiving unit (old id; its commune through a lookup)"),
        _f("receiving_unit_name", "text", "receiving unit name (old)"),
        _f("received_at", "datetime", "received"),
        _f("due_at", "datetime", "appointment / deadline"),
        _f("finished_at", "datetime", "finished"),
        _f("status", "status", "national status code 1–10"),
        _f("applicant_name", "text", "applicant"),
        _f("applicant_id", "id_number", "applicant's CCCD/CMND"),
        _f("applicant_address", "admin_address", "applicant's address"),
    ),
    "dossier_history": (
        _f("parent_key", "text", "code of the dossier"),
        _f("at", "datetime", "when"),
        _f("officer", "text", "who"),
        _f("action", "text", "what"),
        _f("status", "status", "national status code 1–10 after the step"),
    ),
    "parcel": (
        _f("commune", "admin_code", "commune of the parcel (old code in the source)"),
        _f("map_sheet", "text", "tờ bản đồ (old numbering)"),
        _f("parcel_number", "text", "số thửa (old numbering)"),
        _f("area_m2", "decimal", "area in m²"),
        _f("land_use", "text", "loại đất"),
        _f("hamlet", "text", "xứ đồng / thôn"),
        _f("holder_name", "text", "land user"),
        _f("holder_id", "id_number", "land user's CCCD/CMND"),
        _f("certificate_no", "text", "số GCN"),
    ),
    "civil_servant": (
        _NAME, _DOB, _SEX, _ID,
        _f("position", "text", "chức vụ"),
        _f("workplace", "text", "đơn vị công tác"),
        _f("grade_code", "text", "mã ngạch"),
        _f("grade_name", "text", "tên ngạch"),
        _f("qualification", "text", "trình độ chuyên môn"),
        _f("hometown", "admin_address", "quê quán"),
    ),
    "document": (
        _f("number_symbol", "text", "số và ký hiệu (12/QĐ-UBND)"),
        _f("doc_type", "text", "loại văn bản (Quyết định, Công văn, Tờ trình …)"),
        _f("issuing_body", "text", "cơ quan ban hành"),
        _f("issuing_commune", "admin_code", "commune of the issuing body (old code in the source)"),
        _f("issued_date", "date", "ngày ban hành"),
        _f("summary", "text", "trích yếu"),
        _f("signer", "text", "người ký"),
        _f("direction", "text", "incoming (văn bản đến) | outgoing (văn bản đi) | internal"),
        _f("received_date", "date", "ngày đến (incoming documents)"),
        _f("recipients", "text", "nơi nhận"),
        _f("dossier_code", "text", "code of the dossier (mã hồ sơ) the document belongs to"),
    ),
}

LINKED = ("person", "organization", "parcel")

_ADMIN_SUFFIXES = (
    ("_old_commune_code", "VARCHAR", "old commune code the reference resolved to (version old)"),
    ("_new_province_code", "VARCHAR", "new province code (version new), set when certain"),
    ("_new_commune_code", "VARCHAR", "new commune code (version new), set only when certain"),
    ("_status", "VARCHAR", "converted | already_new | split | ambiguous | not_found | invalid"),
    ("_candidates", "VARCHAR", "new commune codes joined by ';' (split / ambiguous)"),
    ("_reason", "VARCHAR", "why, in words"),
)

_BASE_SQL = {"text": "VARCHAR", "date": "DATE", "datetime": "TIMESTAMP", "integer": "BIGINT", "decimal": "DOUBLE",
             "id_number": "VARCHAR", "tax_code": "VARCHAR", "phone": "VARCHAR", "sex": "VARCHAR",
             "admin_code": "VARCHAR", "admin_address": "VARCHAR", "status": "INTEGER"}

_EXTRA = {
    "date": (("_quality", "VARCHAR", "exact | year_only | month_only | placeholder | day_month_swapped"),),
    "id_number": (("_kind", "VARCHAR", "cccd | cmnd"),),
    "tax_code": (("_parent", "VARCHAR", "head-office tax code of a 13-digit branch code"),),
    "status": (("_raw", "VARCHAR", "the status as the source wrote it"),),
    "admin_code": _ADMIN_SUFFIXES,
    "admin_address": _ADMIN_SUFFIXES,
}


def physical_columns(field: str, field_type: str) -> list[Column]:
    """The store columns one typed field becomes (the first one carries the value itself)."""
    cols = [Column(field, _BASE_SQL[field_type], f"{field} ({field_type})")]
    cols += [Column(field + suffix, sql, doc) for suffix, sql, doc in _EXTRA.get(field_type, ())]
    return cols


def field(entity: str, name: str) -> Field | None:
    return next((f for f in FIELDS[entity] if f.name == name), None)


def entity_columns(entity: str) -> list[Column]:
    """Every column of an entity table in the store, lineage first, each field with its default type."""
    cols = list(LINEAGE)
    for f in FIELDS[entity]:
        cols += physical_columns(f.name, f.default_type)
    if entity in LINKED:
        cols.append(Column("golden_id", "VARCHAR", "the golden record this record belongs to (set by linkage)"))
    return cols


HOUSEKEEPING: dict[str, tuple[Column, ...]] = {
    "runs": (
        Column("run_id", "VARCHAR", "run id"),
        Column("started_at", "TIMESTAMP", "start"),
        Column("finished_at", "TIMESTAMP", "end (NULL while running or after a crash)"),
        Column("status", "VARCHAR", "running | done | failed"),
        Column("merger_file", "VARCHAR", "path of the merger file"),
        Column("config_hash", "VARCHAR", "hash of the validated merger file"),
        Column("hopnhat_version", "VARCHAR", "version that ran"),
    ),
    "table_state": (
        Column("src_source", "VARCHAR", "source"),
        Column("src_table", "VARCHAR", "table"),
        Column("stage", "VARCHAR", "last stage finished: loaded | linked (a failed load: table_failures)"),
        Column("read", "BIGINT", "rows read"),
        Column("source_checksum", "VARCHAR", "order-independent checksum of the rows read (row number + key)"),
        Column("run_id", "VARCHAR", "run that finished it"),
        Column("input_hash", "VARCHAR", "hash of the source file / query and its mapping"),
        Column("finished_at", "TIMESTAMP", "when"),
    ),
    "table_failures": (
        Column("src_source", "VARCHAR", "source"),
        Column("src_table", "VARCHAR", "table"),
        Column("run_id", "VARCHAR", "run in which its load failed"),
        Column("failed_at", "TIMESTAMP", "when"),
        Column("error", "VARCHAR", "the error, in words (its type first); cleared when the table next loads"),
    ),
    "quarantine": (
        Column("src_source", "VARCHAR", "source"),
        Column("src_table", "VARCHAR", "table"),
        Column("src_row", "BIGINT", "1-based data row in the source"),
        Column("src_key", "VARCHAR", "source key when known"),
        Column("column_name", "VARCHAR", "source column at fault (NULL for a whole-row problem)"),
        Column("raw_value", "VARCHAR", "the value as read"),
        Column("reason_code", "VARCHAR", "machine reason, e.g. bad_date, duplicate_key, short_row"),
        Column("message", "VARCHAR", "the reason in words"),
        Column("raw_row", "VARCHAR", "the whole raw row as JSON"),
        Column("run_id", "VARCHAR", "run"),
    ),
    "repairs": (
        Column("record_id", "VARCHAR", "record"),
        Column("field", "VARCHAR", "unified field"),
        Column("source_column", "VARCHAR", "source column"),
        Column("original", "VARCHAR", "value before repair (as read, Windows-1252 view for bytes)"),
        Column("repaired", "VARCHAR", "value after repair"),
        Column("kind", "VARCHAR", "encoding name or 'date', 'phone' …"),
    ),
    "cell_issues": (
        Column("record_id", "VARCHAR", "record (loaded anyway: lenient source, or a warning)"),
        Column("src_source", "VARCHAR", "source"),
        Column("src_table", "VARCHAR", "table"),
        Column("src_row", "BIGINT", "row in the source"),
        Column("field", "VARCHAR", "unified field"),
        Column("source_column", "VARCHAR", "source column"),
        Column("raw_value", "VARCHAR", "the value as read"),
        Column("code", "VARCHAR", "problem code, e.g. bad_date, id_inconsistent, unit_not_found"),
        Column("severity", "VARCHAR", "error (value left empty) | warning (kept)"),
        Column("message", "VARCHAR", "the problem in words"),
    ),
    "merged_rows": (
        Column("src_source", "VARCHAR", "source"),
        Column("src_table", "VARCHAR", "table"),
        Column("src_row", "BIGINT", "row in the source"),
        Column("src_key", "VARCHAR", "its key"),
        Column("into_record_id", "VARCHAR", "the record it is an exact copy of"),
        Column("reason", "VARCHAR", "exact_duplicate"),
    ),
    "review_items": (
        Column("item_key", "VARCHAR",
               "stable key: 'pair:<entity>:<record_id>|<record_id>' or 'unit:<record_id>:<field>'"),
        Column("entity", "VARCHAR", "person | organization | parcel (pairs) or the entity of the address"),
        Column("kind", "VARCHAR", "pair | split_unit"),
        Column("record_id_l", "VARCHAR", "first record"),
        Column("record_id_r", "VARCHAR", "second record (pairs only)"),
        Column("field", "VARCHAR", "the admin field (split_unit only)"),
        Column("match_probability", "DOUBLE", "pairs: Splink's probability"),
        Column("evidence", "VARCHAR",
               "JSON: per-comparison match weights (waterfall) or the split's candidates and hints"),
        Column("candidates", "VARCHAR", "split_unit: new commune codes joined by ';'"),
        Column("scope_codes", "VARCHAR", "new province/commune codes the item concerns, ';'-joined (for scoped users)"),
        Column("run_id", "VARCHAR", "run that raised it"),
    ),
    "review_decisions": (
        Column("item_key", "VARCHAR", "the review item"),
        Column("decision", "VARCHAR", "same | different | commune:<new code>"),
        Column("decided_by", "VARCHAR", "user name"),
        Column("decided_at", "TIMESTAMP", "when"),
        Column("note", "VARCHAR", "why"),
    ),
    "declared_counts": (
        Column("src_source", "VARCHAR", "source"),
        Column("src_table", "VARCHAR", "table (one row each: its last scan and the last run's check)"),
        Column("scanned_run", "VARCHAR", "run whose load scanned the file"),
        Column("found_at", "VARCHAR", "where the export declares its count: data.total, DanhSach/@TongSo, row 815"),
        Column("declared", "BIGINT", "the count it declares (NULL: none found, see problem)"),
        Column("declared_text", "VARCHAR", "the count as written (1.234)"),
        Column("counted", "BIGINT", "records the scan counted"),
        Column("page", "BIGINT", "the page an API dump says it is"),
        Column("page_size", "BIGINT", "its page size"),
        Column("pages", "BIGINT", "pages in all (said, or total / page size)"),
        Column("problem", "VARCHAR", "why no count was read"),
        Column("read", "BIGINT", "rows read, per the books of the last run"),
        Column("status", "VARCHAR", "ok | short | paged | over | missing"),
        Column("accepted", "VARCHAR", "the merger file's accept_short reason, when it covers these counts"),
        Column("run_id", "VARCHAR", "run that checked it last"),
    ),
    "reconciliation": (
        Column("run_id", "VARCHAR", "run"),
        Column("src_source", "VARCHAR", "source"),
        Column("src_table", "VARCHAR", "table"),
        Column("entity", "VARCHAR", "unified table"),
        Column("read", "BIGINT", "rows read from the source"),
        Column("loaded", "BIGINT", "rows loaded as records"),
        Column("merged", "BIGINT", "rows merged into another record (exact duplicates, linkage)"),
        Column("quarantined", "BIGINT", "rows put in quarantine"),
        Column("source_checksum", "VARCHAR", "order-independent checksum of the source keys read"),
        Column("store_checksum", "VARCHAR", "same over the keys accounted for in the store"),
    ),
}


def ddl(table: str, columns: list[Column] | tuple[Column, ...]) -> str:
    body = ",\n  ".join(f'"{c.name}" {c.sql_type}' for c in columns)
    return f'CREATE TABLE IF NOT EXISTS "{table}" (\n  {body}\n)'
