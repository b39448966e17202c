"""The merger project file (``merger.yaml``), validated once at the edge.

Every error names the file, the key (``sources[2].tables[0].columns.birth_date.formats``) and what was expected. Paths
in the file are relative to the file. See ``hopnhat init`` for a commented starting file.

Besides its shape, a file that is valid but surely wrong is refused here: an impossible date (``2025-02-30``), no
source, a delimiter of more than one character, an encoding nobody knows (``klingon``), nesting deeper than
:data:`MAX_DEPTH`. What needs the files themselves (the content matches ``kind``, ``source_key`` names a column of the
header, the store is not a source) is checked before a run by :mod:`hopnhat.ingest.preflight`.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hopnhat.errors import ConfigError
from hopnhat.i18n import tr
from hopnhat.model.schema import ENTITIES, FIELD_TYPES, FIELDS
from hopnhat.model.schema import field as schema_field

SourceKind = Literal["csv", "tsv", "excel", "ndjson", "json", "xml", "parquet", "dbf", "sqlite", "postgresql",
                     "mysql", "mariadb"]
FILE_KINDS = ("csv", "tsv", "excel", "ndjson", "json", "xml", "parquet", "dbf")
RECORDS_KINDS = ("json", "xml")  # the kinds whose records may sit under a path (`records:`)
# a step of a `records:` path: a JSON key or an XML element name (letters, digits, _ - : and Vietnamese letters)
RECORDS_STEP = re.compile(r"^[^\s./\[\]{}\"'<>=&]+$")
SQL_KINDS = ("sqlite", "postgresql", "mysql", "mariadb")
ORIGINS = ("column", "json", "coalesce", "from_nonempty", "const")
DATE_FORMATS = ("dd/mm/yyyy", "mm/dd/yyyy", "yyyy-mm-dd", "yyyy", "excel_serial", "iso8601", "dd/mm/yyyy HH:MM",
                "yyyymmdd", "dd-mm-yyyy", "dd.mm.yyyy")
# a field's source type may differ from its store type only along these lines (value parsed, then stored)
COMPATIBLE = {("text", "admin_code"), ("admin_code", "admin_address"), ("text", "sex")}
DELIMITER_WORDS = ("tab", "\\t", "comma", "semicolon", "pipe")  # the words a delimiter may be written as
MAX_DEPTH = 40  # levels of nesting in a merger file; the deepest real key is about 7


def known_encoding(name: str) -> str:
    """An encoding the readers and the repair stage know: a legacy Vietnamese one or any Python codec."""
    from hopnhat.text.legacy import _ALIASES, ENCODINGS

    low = name.strip().lower()
    if low in ENCODINGS or low in _ALIASES or low in ("cp1258-decomposed", "utf-8-sig"):
        return name
    try:
        codecs.lookup(low)
    except LookupError:
        raise ValueError(tr(f"bảng mã {name!r} không ai biết; dùng {', '.join(ENCODINGS)} hoặc tên bảng mã chuẩn "
                            "(utf-16, cp1252, latin-1…)",
                            f"unknown encoding {name!r}; known: {', '.join(ENCODINGS)} or any standard codec name "
                            "(utf-16, cp1252, latin-1…)")) from None
    return name


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnSpec(_Model):
    """Where one field's value comes from and how to read it."""

    column: str | None = None
    json_path: str | None = Field(default=None, alias="json")
    coalesce: list[str] | None = None
    from_nonempty: dict[str, str] | None = None
    const: str | int | float | None = None
    type: str | None = None
    formats: list[str] | None = None
    values: dict[str, str | int] | None = None
    version: Literal["old", "new"] = "old"
    lookup: str | None = None
    decimal: Literal[",", "."] = "."

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one_origin(self) -> ColumnSpec:
        given = [o for o, v in (("column", self.column), ("json", self.json_path), ("coalesce", self.coalesce),
                                ("from_nonempty", self.from_nonempty), ("const", self.const)) if v is not None]
        if len(given) != 1:
            raise ValueError(f"exactly one of {', '.join(ORIGINS)} expected, got {given or 'none'}")
        if self.type is not None and self.type not in FIELD_TYPES:
            raise ValueError(f"type must be one of {', '.join(FIELD_TYPES)}")
        bad = [f for f in self.formats or () if f not in DATE_FORMATS]
        if bad:
            raise ValueError(f"unknown date format(s) {bad}; known: {', '.join(DATE_FORMATS)}")
        return self

    @property
    def origin(self) -> str:
        return next(o for o, v in (("column", self.column), ("json", self.json_path), ("coalesce", self.coalesce),
                                   ("from_nonempty", self.from_nonempty), ("const", self.const)) if v is not None)

    def source_columns(self) -> list[str]:
        """The source columns this field reads (top-level name for a JSON path)."""
        if self.column is not None:
            return [self.column]
        if self.json_path is not None:
            return [self.json_path.split(".")[0]]
        if self.coalesce is not None:
            return list(self.coalesce)
        if self.from_nonempty is not None:
            return list(self.from_nonempty)
        return []


class AcceptShort(_Model):
    """A declared total that differs from the records read, acknowledged in the merger file (``accept_short:``)."""

    declared: int = Field(ge=0)
    read: int = Field(ge=0)
    reason: str = Field(min_length=10)

    def covers(self, declared: int | None, read: int) -> bool:
        return declared == self.declared and read == self.read


class TableSpec(_Model):
    """One source table (or file, sheet, query) and its mapping onto a unified entity."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    path: str | None = None
    table: str | None = None
    query: str | None = None
    sheet: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    column_encodings: dict[str, str] = Field(default_factory=dict)
    header_rows: list[int] | None = None
    data_start_row: int | None = None
    header_join: str = " - "
    maps_to: str
    source_key: ColumnSpec | None = None
    explode: str | None = None
    # a SQL table's column that grows whenever a row is written (updated_at, an increasing id): a delta reads only
    # the rows whose value reached the last load's mark, the others' keys (hopnhat.load.cursor). A row changed
    # without its cursor moving is not seen until a whole read (`hopnhat migrate --fresh`)
    cursor: str | None = Field(default=None, min_length=1)
    # where the records are: the dotted keys from the top of a JSON document down to the array of records
    # (`data.items`), or the element path from an XML document's root to the repeating element (`DanhSach/HoSo`)
    records: str | None = None
    # where the export says how many records it holds (hopnhat.ingest.declared): a JSON key path (`data.total`), an
    # XML attribute or element from the root (`DanhSach/@TongSo`, `DanhSach/TongSo`), or `footer` for an Excel
    # or CSV report's last row "Tổng cộng: 1.234 hồ sơ". A run compares it with the records read (the books' findings)
    declared_total: str | None = None
    # a short read acknowledged: the counts it was seen with and why it is right (a first page on purpose…); a run
    # whose counts differ from these is not acknowledged. Kept out of the mapping hash: acknowledging reloads nothing
    accept_short: AcceptShort | None = None
    columns: dict[str, ColumnSpec]

    @model_validator(mode="before")
    @classmethod
    def _lift_specials(cls, data: Any) -> Any:
        """``source_key`` and ``explode`` may be written among the columns; short forms become specs."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        cols = dict(data.get("columns") or {})
        for special in ("source_key", "explode"):
            if special in cols and special not in data:
                data[special] = cols.pop(special)
        data["columns"] = {k: ({"column": v} if isinstance(v, str) else v) for k, v in cols.items()}
        if isinstance(data.get("source_key"), str):
            data["source_key"] = {"column": data["source_key"]}
        return data

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, v: str | None) -> str | None:
        if v is not None and len(v) != 1 and v.lower() not in DELIMITER_WORDS:
            words = ", ".join(DELIMITER_WORDS)
            raise ValueError(tr(f"dấu phân cách là một ký tự (',' ';' '|') hoặc một trong {words}; ở đây là {v!r}",
                                f"a delimiter is one character (',' ';' '|') or one of {words}; got {v!r}"))
        if v is not None and v in ('"', "\n", "\r"):
            raise ValueError(tr(f"{v!r} không thể là dấu phân cách", f"{v!r} cannot be a delimiter"))
        return v

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, v: str | None) -> str | None:
        return None if v is None else known_encoding(v)

    @field_validator("records")
    @classmethod
    def _records(cls, v: str | None) -> str | None:
        return None if v is None else records_path(v)

    @field_validator("column_encodings")
    @classmethod
    def _column_encodings(cls, v: dict[str, str]) -> dict[str, str]:
        for name in v.values():
            known_encoding(name)
        return v

    @field_validator("maps_to")
    @classmethod
    def _entity(cls, v: str) -> str:
        if v not in ENTITIES:
            raise ValueError(f"maps_to must be one of {', '.join(ENTITIES)}")
        return v

    @model_validator(mode="after")
    def _fields_known(self) -> TableSpec:
        if self.source_key is None and self.explode is None:
            raise ValueError("'source_key' is required (a table of exploded lists uses parent key + position)")
        if self.explode is not None and "parent_key" not in self.columns:
            raise ValueError("an exploded table needs a 'parent_key' field naming its parent's key")
        if self.cursor is not None and (self.source_key is None or self.explode is not None):
            raise ValueError(f"table {self.name!r}: cursor {self.cursor!r} needs the table's own 'source_key' (the "
                             "rows the cursor does not read are found by their key); an exploded table has none")
        for name, spec in self.columns.items():
            known = schema_field(self.maps_to, name)
            if known is None:
                fields = ", ".join(f.name for f in FIELDS[self.maps_to])
                raise ValueError(f"field {name!r} is not in {self.maps_to} (fields: {fields})")
            src = spec.type or "text"
            if src != known.default_type and (src, known.default_type) not in COMPATIBLE and spec.type is not None:
                raise ValueError(f"field {name!r} is {known.default_type}; type {src!r} cannot be stored there")
        return self

    def field_type(self, name: str) -> str:
        """The store type of a mapped field."""
        known = schema_field(self.maps_to, name)
        assert known is not None
        return known.default_type


class Lookup(_Model):
    """A small code list shipped beside a source (e.g. receiving units → admin codes)."""

    path: str
    key: str
    admin_code: str | None = None
    name: str | None = None
    encoding: str = "utf-8"

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, v: str) -> str:
        return known_encoding(v)


class SourceSpec(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    system: str
    province: str | None = None
    kind: SourceKind
    path: str | None = None
    dsn: str | None = None
    schema_name: str | None = Field(default=None, alias="schema")  # database schema of the tables
    password_env: str | None = None  # environment variable holding the database password (kept out of the file)
    strictness: Literal["strict", "lenient"] = "lenient"
    catalog_system: str | None = None  # the catalog's system id (e.g. "49-TTHC"); guessed from `system` when absent
    lookups: dict[str, Lookup] = Field(default_factory=dict)
    tables: list[TableSpec]

    @model_validator(mode="after")
    def _where(self) -> SourceSpec:
        if self.kind in SQL_KINDS and self.kind != "sqlite" and not self.dsn:
            raise ValueError(f"a {self.kind} source needs 'dsn'")
        if self.kind == "sqlite" and not (self.path or self.dsn):
            raise ValueError("a sqlite source needs 'path' (or 'dsn')")
        for t in self.tables:
            if self.kind in FILE_KINDS and not t.path:
                raise ValueError(f"table {t.name!r}: a {self.kind} table needs 'path'")
            if self.kind in SQL_KINDS and not (t.table or t.query):
                raise ValueError(f"table {t.name!r}: a database table needs 'table' or 'query'")
            if t.cursor is not None:
                _cursor_where(self.name, self.kind, t)
            _records_where(self, t)
            _declared_where(self, t)
            for f, spec in t.columns.items():
                if spec.lookup and spec.lookup not in self.lookups:
                    raise ValueError(f"table {t.name!r}, field {f!r}: lookup {spec.lookup!r} is not declared")
        names = [t.name for t in self.tables]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"table names repeated: {sorted(dup)}")
        return self


def records_path(text: str) -> str:
    """A `records:` path as written: steps joined by ``.`` (JSON keys) or ``/`` (XML elements), none empty."""
    steps = record_steps(text)
    if not steps or any(not RECORDS_STEP.match(step) for step in steps):
        raise ValueError(tr(f"records {text!r}: một đường dẫn gồm các khóa JSON nối bằng '.' (data.items) hoặc các "
                            "phần tử XML nối bằng '/' (DanhSach/HoSo), không bước nào rỗng hay chứa dấu cách",
                            f"records {text!r}: a path of JSON keys joined by '.' (data.items) or XML elements "
                            "joined by '/' (DanhSach/HoSo), no step empty or holding a space"))
    return text


def record_steps(text: str) -> list[str]:
    """The steps of a `records:` path: split on ``/`` when it has one (XML), else on ``.`` (JSON keys)."""
    text = text.strip()
    return text.strip("/").split("/") if "/" in text else text.split(".")


DECLARED_KINDS = ("json", "xml", "excel", "csv", "tsv")  # the kinds whose exports may say how many records they hold
_JSON_KEYS = re.compile(r"^[^\s./\[\]{}\"'<>=&@]+(?:\.[^\s./\[\]{}\"'<>=&@]+)*$")
_XML_COUNT = re.compile(r"^[^\s./\[\]{}\"'<>=&@]+(?:/[^\s./\[\]{}\"'<>=&@]+)*(?:/@[^\s./\[\]{}\"'<>=&@]+)?$")


def _declared_where(source: SourceSpec, table: TableSpec) -> None:
    """`declared_total:` fits the table's kind and records, and `accept_short:` comes with it."""
    where = f"bảng {table.name!r}: declared_total {table.declared_total!r}"
    where_en = f"table {table.name!r}: declared_total {table.declared_total!r}"
    if table.accept_short is not None and table.declared_total is None:
        raise ValueError(tr(f"bảng {table.name!r}: 'accept_short' chấp nhận một chênh lệch với 'declared_total', "
                            "mà bảng không khai báo 'declared_total'",
                            f"table {table.name!r}: 'accept_short' acknowledges a difference from 'declared_total', "
                            "which the table does not set"))
    if table.declared_total is None:
        return
    if source.kind not in DECLARED_KINDS:
        raise ValueError(tr(f"{where}: chỉ dùng cho nguồn json, xml, excel hoặc csv, không cho {source.kind}",
                            f"{where_en}: for json, xml, excel or csv sources, not {source.kind}"))
    if table.explode is not None:
        raise ValueError(tr(f"{where}: tổng khai báo đếm bản ghi, bảng 'explode' đếm các phần tử của danh sách — "
                            "đặt declared_total ở bảng cha",
                            f"{where_en}: a declared total counts records, an exploded table's rows are list "
                            "items — set declared_total on the parent table"))
    _declared_syntax(source.kind, table, where, where_en)


def _declared_syntax(kind: str, table: TableSpec, where: str, where_en: str) -> None:
    text = table.declared_total or ""
    if kind in ("excel", "csv", "tsv"):
        if text != "footer":
            raise ValueError(tr(f"{where}: với {kind}, ghi 'footer' (dòng cuối 'Tổng cộng: 1.234 hồ sơ')",
                                f"{where_en}: for {kind} write 'footer' (the last row 'Tổng cộng: 1.234 hồ sơ')"))
        return
    if table.records is None:
        raise ValueError(tr(f"{where}: cần 'records' (tổng nằm cạnh mảng bản ghi, như data.total cạnh data.items)",
                            f"{where_en}: needs 'records' (the total sits beside the records, as data.total beside "
                            "data.items)"))
    pattern, example = (_JSON_KEYS, "data.total") if kind == "json" else (_XML_COUNT, "DanhSach/@TongSo")
    steps = record_steps(table.records)
    parts = text.replace("/@", "/").split("/" if kind == "xml" else ".")
    inside = parts[:len(steps)] == steps
    other_root = kind == "xml" and (parts[0] != steps[0] or len(parts) < 2)
    if not pattern.match(text) or inside or other_root:
        raise ValueError(tr(f"{where}: một đường dẫn như {example}, ngoài các bản ghi ({table.records})",
                            f"{where_en}: a path such as {example}, outside the records ({table.records})"))


def _records_where(source: SourceSpec, table: TableSpec) -> None:
    """`records:` belongs to a JSON or XML table; an XML table needs it (its repeating element)."""
    if table.records is not None and source.kind not in RECORDS_KINDS:
        raise ValueError(tr(f"bảng {table.name!r}: 'records' chỉ dùng cho nguồn json hoặc xml, không cho {source.kind}",
                            f"table {table.name!r}: 'records' is for json or xml sources, not {source.kind}"))
    if source.kind == "xml" and table.records is None:
        raise ValueError(tr(f"bảng {table.name!r}: nguồn xml cần 'records', đường dẫn tới phần tử lặp lại của mỗi "
                            "bản ghi (ví dụ DanhSach/HoSo)",
                            f"table {table.name!r}: an xml source needs 'records', the path to the element each "
                            "record is (e.g. DanhSach/HoSo)"))


def _cursor_where(source: str, kind: str, table: TableSpec) -> None:
    """A cursor column is read by the database (``WHERE cursor >= mark``): a SQL source's table, not a query."""
    if kind not in SQL_KINDS:
        raise ValueError(f"source {source!r}, table {table.name!r}: cursor {table.cursor!r} needs a SQL source "
                         f"({', '.join(SQL_KINDS)}), not {kind}")
    if table.query is not None or table.table is None:
        raise ValueError(f"source {source!r}, table {table.name!r}: cursor {table.cursor!r} needs 'table' "
                         "(a query's rows cannot be read by their cursor)")


class MergedUnit(_Model):
    province_code: str = Field(pattern=r"^\d{2}$")
    name: str
    cutover: date = date(2025, 7, 1)
    old_provinces: list[str] = Field(default_factory=list)


class StoreSpec(_Model):
    path: str = "hopnhat.duckdb"  # a link to the published version in <store>-versions/ (load.versions)
    url: str | None = None
    keep_versions: int = Field(default=3, ge=1)  # published store versions kept for rollback
    app_db: str = "hopnhat-app.sqlite"
    catalog: str = "catalog.duckdb"


class RunSpec(_Model):
    # background: the run at SCHED_IDLE, niceness 19 and idle I/O (a web app keeps answering beside it); auto:
    # background when something reads the published store version (hopnhat.run.priority)
    priority: Literal["auto", "background", "normal"] = "auto"


class Evidence(_Model):
    split_hamlets: str | None = None
    split_map_sheets: str | None = None


SPARK_KEY = re.compile(r"^spark\.[A-Za-z0-9_.\-]+$")
SPARK_MASTER = re.compile(r"^(local(\[(\d+|\*)(,\d+)?\])?|local-cluster\[\d+,\d+,\d+\]|spark://[^\s/]+|yarn|k8s://\S+)$")
LinkedEntity = Literal["person", "organization", "parcel"]
LINKED_ENTITIES: tuple[LinkedEntity, ...] = ("person", "organization", "parcel")


class LinkageSpec(_Model):
    """Linkage settings; thresholds are match probabilities.

    ``engine``: duckdb (one machine) or spark (``spark_master``, e.g. ``spark://host:7077`` or ``yarn``; local mode
    when empty; ``spark_conf`` passed to the session). ``memory_limit``: DuckDB's limit for the linkage work space
    (e.g. ``1500MB``). ``survivorship``: field (or ``entity.field``, ``*``) → trusted | complete | recent |
    source:<name>; ``source_trust``: sources, most trusted first. ``unanchored``: two person records that only the
    name and birth date tie (another commune or none, no comparable number, no phone in common: what a namesake born
    the same day elsewhere looks like) are raised for review and linked only where the run's own data shows such
    pairs to be one person at the match threshold — the share of name + date pairs whose two valid CCCDs agree, per
    stratum (:mod:`hopnhat.link.namesakes`) — as the clear best (``review``, precision first), or linked whenever
    each is the other's clear best (``only_candidate``, recall first) — :data:`hopnhat.link.persons.UNANCHORED`.
    """

    enabled: bool = True
    entities: list[LinkedEntity] = Field(default_factory=lambda: list(LINKED_ENTITIES))
    match_threshold: float = Field(default=0.95, gt=0, lt=1)
    review_threshold: float = Field(default=0.6, gt=0, lt=1)
    source_trust: list[str] = Field(default_factory=list)
    survivorship: dict[str, str] = Field(default_factory=dict)
    unanchored: Literal["review", "only_candidate"] = "review"
    engine: Literal["duckdb", "spark"] = "duckdb"
    memory_limit: str | None = Field(default=None, pattern=r"^\d+(\.\d+)?\s*[KMGT]i?B$")
    spark_master: str | None = None
    spark_conf: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _order(self) -> LinkageSpec:
        if self.review_threshold >= self.match_threshold:
            raise ValueError("review_threshold must be below match_threshold")
        return self

    @field_validator("spark_conf")
    @classmethod
    def _spark_conf(cls, v: dict[str, str]) -> dict[str, str]:
        for key, value in v.items():
            if not SPARK_KEY.match(key) or not str(value).strip():
                raise ValueError(f"spark_conf: {key!r}: {value!r} is not a Spark setting (a key spark.… and a value, "
                                 "e.g. spark.driver.memory: 8g)")
        return v

    @field_validator("spark_master")
    @classmethod
    def _spark_master(cls, v: str | None) -> str | None:
        if v is not None and v.strip() and not SPARK_MASTER.match(v.strip()):
            raise ValueError(f"spark_master: {v!r} is not local[N], local-cluster[N,CORES,MB], spark://host:port, "
                             "yarn or k8s://…")
        return v.strip() if v and v.strip() else None

    @field_validator("survivorship")
    @classmethod
    def _rules(cls, v: dict[str, str]) -> dict[str, str]:
        for key, rule in v.items():
            if rule not in ("trusted", "complete", "recent") and not (rule.startswith("source:") and len(rule) > 7):
                raise ValueError(f"survivorship.{key}: {rule!r} is not trusted | complete | recent | source:<name>")
        return v


class S3Spec(_Model):
    """An S3-compatible bucket holding the file store's contents (hopnhat.files.s3store); the keys come from the
    environment variables named here, never from the merger file."""

    endpoint: str = Field(min_length=1)  # e.g. https://s3.tinh.gov.vn
    bucket: str = Field(min_length=3)
    prefix: str = ""  # keys under it: <prefix>objects/ab/cdef…, <prefix>quarantine/<sha256>
    region: str = "us-east-1"
    access_key_env: str = "AWS_ACCESS_KEY_ID"
    secret_key_env: str = "AWS_SECRET_ACCESS_KEY"
    verify_tls: bool = True


class IdentityScans(_Model):
    """Where a source keeps scans of identity papers (CCCD, CMND, passports): the whole source, a table, one column
    of a table (a path or BLOB column, or a manifest's ``column``), or a folder of its file paths. Such files are
    served only to roles with ``identity_scans``."""

    source: str = Field(min_length=1)
    table: str | None = None
    column: str | None = None
    folder: str | None = None  # relative to the source's files folder; every file under it

    @model_validator(mode="after")
    def _shape(self) -> IdentityScans:
        if self.column is not None and self.table is None:
            raise ValueError(f"identity_scans: column {self.column!r} of source {self.source!r} needs its table")
        if self.folder is not None and (self.table is not None or not self.folder.strip("/\\. ")):
            raise ValueError(f"identity_scans: folder of source {self.source!r} is a non-empty path, without table")
        return self


class FilesSpec(_Model):
    """The files records reference (hopnhat.files): the content-addressed store's folder (beside the unified store)
    and, per source, the folder its file paths are relative to, a CSV manifest (table,row,column,path) there, the
    columns of its tables that hold file paths (relative to that folder), and the BLOB columns of its SQL tables
    (each with the column holding the file's name, or null). With ``s3`` the contents go to a bucket (the ledger stays
    in ``path``)."""

    path: str = "hopnhat-files"
    folders: dict[str, str] = Field(default_factory=dict)  # source name → folder of its files
    manifests: dict[str, str] = Field(default_factory=dict)  # source name → manifest CSV (relative to its folder)
    columns: dict[str, dict[str, list[str]]] = Field(default_factory=dict)  # source → table → path columns
    blobs: dict[str, dict[str, dict[str, str | None]]] = Field(default_factory=dict)  # source → table → blob → name
    s3: S3Spec | None = None
    identity_scans: list[IdentityScans] = Field(default_factory=list)  # the files only some roles may open
    identity_by_name: bool = True  # also a file whose column, table or name says CCCD, CMND, passport… (warned)


class MergerConfig(_Model):
    version: Literal[1] = 1
    merged_unit: MergedUnit
    store: StoreSpec = StoreSpec()
    run: RunSpec = RunSpec()
    evidence: Evidence = Evidence()
    national_status: dict[int, str] = Field(default_factory=dict)
    linkage: LinkageSpec = LinkageSpec()
    files: FilesSpec = FilesSpec()
    sources: list[SourceSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> MergerConfig:
        names = [s.name for s in self.sources]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"source names repeated: {sorted(dup)}")
        return self

    @model_validator(mode="after")
    def _identity_scans_named(self) -> MergerConfig:
        tables = {s.name: {t.name for t in s.tables} for s in self.sources}
        for entry in self.files.identity_scans:
            if entry.source not in tables:
                raise ValueError(f"files.identity_scans names a source that is not there: {entry.source!r}")
            if entry.table is not None and entry.table not in tables[entry.source]:
                raise ValueError(f"files.identity_scans names a table that is not there: "
                                 f"{entry.source}.{entry.table}")
        return self


class Project:
    """A validated merger file and the folder it lives in (paths resolve against it)."""

    def __init__(self, path: Path, config: MergerConfig, raw: dict[str, Any]) -> None:
        self.path = path
        self.base = path.parent
        self.config = config
        self.raw = raw

    def resolve(self, relative: str) -> Path:
        p = Path(relative)
        return p if p.is_absolute() else (self.base / p)

    @property
    def store_path(self) -> Path:
        return self.resolve(self.config.store.path)

    @property
    def runs_dir(self) -> Path:
        return self.store_path.with_suffix("").parent / (self.store_path.stem + "-runs")

    @property
    def catalog_path(self) -> Path:
        return self.resolve(self.config.store.catalog)

    @property
    def app_db_path(self) -> Path:
        return self.resolve(self.config.store.app_db)

    def config_hash(self) -> str:
        blob = json.dumps(self.config.model_dump(mode="json", by_alias=True), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def source(self, name: str) -> SourceSpec:
        for s in self.config.sources:
            if s.name == name:
                return s
        raise ConfigError(f"no source named {name!r}", source=name)


def _loc(loc: tuple[Any, ...], raw: Any) -> str:
    """A pydantic location as the user wrote it: sources[1].tables[0].columns.birth_date."""
    out = ""
    node = raw
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            if isinstance(node, list):
                continue
            out += ("." if out else "") + str(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return out or "(top level)"


_PROBLEMS_VI = {
    "missing": "thiếu khóa bắt buộc",
    "extra_forbidden": "khóa không được phép (viết sai tên?)",
    "too_short": "danh sách không được rỗng",
    "string_type": "phải là chuỗi văn bản",
    "int_type": "phải là số nguyên", "int_parsing": "phải là số nguyên",
    "float_type": "phải là số", "float_parsing": "phải là số",
    "bool_type": "phải là true hoặc false", "bool_parsing": "phải là true hoặc false",
    "list_type": "phải là một danh sách", "dict_type": "phải là một ánh xạ (khóa: giá trị)",
    "model_type": "phải là một ánh xạ (khóa: giá trị)",
    "date_type": "phải là một ngày (yyyy-mm-dd)", "date_from_datetime_parsing": "phải là một ngày (yyyy-mm-dd)",
    "string_pattern_mismatch": "không đúng dạng",
}


def _problem(error: Any) -> str:
    """One pydantic problem in the user's language (Vietnamese for the common kinds; the detail kept)."""
    kind = error.get("type", "")
    if kind == "literal_error":
        return tr(f"phải là một trong {error.get('ctx', {}).get('expected', '')}", str(error["msg"]))
    if kind == "value_error":
        return tr("giá trị không hợp lệ: ", "") + str(error["msg"]).removeprefix("Value error, ")
    return tr(_PROBLEMS_VI[kind], str(error["msg"])) if kind in _PROBLEMS_VI else str(error["msg"])


def _depth(root: Any) -> int:
    """Levels of nesting of a loaded YAML document (walked without recursion)."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _refuse(path: Path, message: str, reason: str | None = None, key: str | None = None) -> ConfigError:
    return ConfigError(message, source=str(path), key=key, reason=reason,
                       hint=tr("sửa merger.yaml (xem `hopnhat init` để có tệp mẫu có chú thích)",
                               "fix merger.yaml (`hopnhat init` writes a commented example)"))


def _read_yaml(path: Path) -> Any:
    if not path.is_file():
        raise ConfigError(tr("Không tìm thấy tệp merger", "Merger file not found"), source=str(path),
                          reason=tr("không có tệp này", "no such file") if not path.exists() else
                          tr("đây không phải một tệp thường", "this is not a regular file"),
                          hint=tr("chạy `hopnhat init merger.yaml` để tạo một tệp mẫu",
                                  "run `hopnhat init merger.yaml` to write an example"))
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = tr(f"dòng {mark.line + 1}, cột {mark.column + 1}: ", f"line {mark.line + 1}, column {mark.column + 1}: "
                   ) if mark is not None else ""
        raise _refuse(path, tr("Tệp merger không phải YAML hợp lệ", "The merger file is not valid YAML"),
                      where + str(getattr(exc, "problem", None) or type(exc).__name__)) from exc
    except UnicodeDecodeError as exc:
        raise _refuse(path, tr("Tệp merger không phải UTF-8", "The merger file is not UTF-8"),
                      tr(f"byte không đọc được ở vị trí {exc.start}",
                         f"an unreadable byte at offset {exc.start}")) from exc
    except RecursionError as exc:
        raise _refuse(path, tr("Tệp merger lồng nhau quá sâu", "The merger file is nested too deeply"),
                      tr(f"tối đa {MAX_DEPTH} mức", f"at most {MAX_DEPTH} levels")) from exc
    except (ValueError, TypeError, OverflowError) as exc:  # a scalar YAML reads as an impossible date or number
        raise _refuse(path, tr("Tệp merger có giá trị không hợp lệ", "The merger file holds an impossible value"),
                      tr("một ngày hoặc số không tồn tại (ví dụ 2025-02-30)",
                         "a date or number that cannot exist (such as 2025-02-30)")) from exc
    except OSError as exc:
        raise _refuse(path, tr("Không đọc được tệp merger", "Cannot read the merger file"),
                      exc.strerror or type(exc).__name__) from exc


def load_project(path: Path | str) -> Project:
    """Read and validate a merger file; every problem becomes one ConfigError naming file, key and expectation."""
    path = Path(path).resolve()
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise _refuse(path, tr("Tệp merger phải là một ánh xạ (khóa: giá trị) ở mức trên cùng",
                               "The merger file must be a mapping (key: value) at the top level"),
                      tr("tệp rỗng" if raw is None else f"mức trên cùng là {type(raw).__name__}",
                         "the file is empty" if raw is None else f"the top level is a {type(raw).__name__}"))
    if _depth(raw) > MAX_DEPTH:
        raise _refuse(path, tr("Tệp merger lồng nhau quá sâu", "The merger file is nested too deeply"),
                      tr(f"tối đa {MAX_DEPTH} mức", f"at most {MAX_DEPTH} levels"))
    try:
        config = MergerConfig.model_validate(raw)
    except ValidationError as exc:
        problems = [f"{_loc(e['loc'], raw)}: {_problem(e)}" for e in exc.errors()]
        first = _loc(exc.errors()[0]["loc"], raw)
        raise ConfigError(tr("Tệp merger không hợp lệ", "The merger file is invalid"), source=str(path), key=first,
                          reason="; ".join(problems)[:2000],
                          hint=tr(f"sửa khóa {first} trong merger.yaml",
                                  f"fix the key {first} in merger.yaml")) from exc
    return Project(path, config, raw)
