"""How far a drafted merger file agrees with a hand-written one, item by item: tables found, their source's kind and
name, ``maps_to``, every mapped field (same source columns), legacy encodings, header rows, lookups."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hopnhat.i18n import tr
from hopnhat.project.config import ColumnSpec, Project, SourceSpec, TableSpec

Where = tuple[Path, str | None, str | None]  # file, database table, exploded list
LABELS = {  # item → (Vietnamese, English)
    "tables found": ("bảng tìm thấy", "tables found"), "source kind": ("loại nguồn", "source kind"),
    "source name": ("tên nguồn", "source name"), "maps_to": ("maps_to", "maps_to"),
    "legacy encoding": ("bảng mã cũ", "legacy encoding"), "fields": ("trường (cùng cột nguồn)", "fields"),
    "source_key": ("source_key", "source_key"), "field types": ("kiểu trường", "field types"),
    "date formats": ("dạng ngày", "date formats"), "header rows": ("dòng tiêu đề", "header rows"),
    "lookups": ("bảng tra", "lookups"), "attachments": ("tệp đính kèm", "attachments"),
}


def label(item: str) -> str:
    """An item's name in the user's language."""
    vi, en = LABELS.get(item, (item, item))
    return tr(vi, en)


@dataclass
class Tally:
    agreed: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, ok: bool, what: str) -> None:
        self.total += 1
        self.agreed += ok
        if not ok:
            self.misses.append(what)

    @property
    def share(self) -> float:
        return self.agreed / self.total if self.total else 1.0


@dataclass
class Agreement:
    """Per item, how many of the hand-written file's the draft agrees with, and which not."""

    items: dict[str, Tally] = field(default_factory=dict)
    extra_fields: list[str] = field(default_factory=list)  # fields the draft maps that the hand-written file does not
    extra_tables: list[str] = field(default_factory=list)

    def tally(self, item: str) -> Tally:
        return self.items.setdefault(item, Tally())


def _where(project: Project, source: SourceSpec, table: TableSpec) -> Where:
    path = project.resolve(table.path or source.path or "").resolve()
    return path, table.table, table.explode


def _tables(project: Project) -> dict[Where, tuple[SourceSpec, TableSpec]]:
    return {_where(project, s, t): (s, t) for s in project.config.sources for t in s.tables}


def _origin(spec: ColumnSpec | None) -> tuple[str, ...] | str | int | float | None:
    """What a field reads, comparable across files: its columns, JSON path or constant."""
    if spec is None:
        return None
    if spec.json_path is not None:
        return ("json", spec.json_path)
    if spec.const is not None:
        return spec.const
    return tuple(sorted(spec.source_columns()))


def _fields(agreement: Agreement, name: str, hand: TableSpec, draft: TableSpec) -> None:
    fields = agreement.tally("fields")
    if hand.source_key is not None:
        agreement.tally("source_key").add(_origin(hand.source_key) == _origin(draft.source_key), name)
    for field_name, spec in hand.columns.items():
        other = draft.columns.get(field_name)
        fields.add(_origin(spec) == _origin(other), f"{name}.{field_name}")
        if other is not None and _origin(spec) == _origin(other) and spec.const is None:
            agreement.tally("field types").add(_type(hand, field_name, spec) == _type(draft, field_name, other),
                                               f"{name}.{field_name}")
        if other is not None and spec.formats:
            agreement.tally("date formats").add(set(spec.formats) == set(other.formats or ()),
                                                f"{name}.{field_name}: {spec.formats} / {other.formats}")
    agreement.extra_fields += [f"{name}.{f}" for f in draft.columns if f not in hand.columns]


def _type(table: TableSpec, name: str, spec: ColumnSpec) -> str:
    return spec.type or table.field_type(name)


def _legacy(table: TableSpec) -> dict[str, str]:
    """The legacy encodings a table declares: the table's and its columns' (UTF-8 is no legacy)."""
    found = {"*": table.encoding} if table.encoding and table.encoding.lower() not in ("utf-8", "utf8") else {}
    return found | dict(table.column_encodings)


def _table(agreement: Agreement, pair: tuple[SourceSpec, TableSpec], other: tuple[SourceSpec, TableSpec]) -> None:
    (hand_source, hand), (draft_source, draft) = pair, other
    name = f"{hand_source.name}.{hand.name}"
    agreement.tally("source kind").add(hand_source.kind == draft_source.kind, name)
    agreement.tally("source name").add(hand_source.name == draft_source.name, name)
    agreement.tally("maps_to").add(hand.maps_to == draft.maps_to, name)
    if _legacy(hand):
        agreement.tally("legacy encoding").add(_legacy(hand) == _legacy(draft), name)
    if hand.header_rows is not None:
        agreement.tally("header rows").add((hand.header_rows, hand.data_start_row) ==
                                           (draft.header_rows, draft.data_start_row), name)
    if hand.maps_to == draft.maps_to:
        _fields(agreement, name, hand, draft)
    else:
        agreement.tally("fields").total += len(hand.columns)
        agreement.tally("fields").misses.append(f"{name}: {len(hand.columns)} ({draft.maps_to})")


def _lookups(agreement: Agreement, hand: Project, draft: Project) -> None:
    drafted = {(hand.resolve(""), draft.resolve(lk.path).resolve(), lk.key, lk.admin_code)
               for s in draft.config.sources for lk in s.lookups.values()}
    for source in hand.config.sources:
        for name, lookup in source.lookups.items():
            key = (hand.resolve(""), hand.resolve(lookup.path).resolve(), lookup.key, lookup.admin_code)
            agreement.tally("lookups").add(key in drafted, f"{source.name}.{name}")


def _files(agreement: Agreement, hand: Project, draft: Project) -> None:
    """Each source's attachments folder and each table's file-naming columns."""
    ours, theirs = hand.config.files, draft.config.files
    for source, folder in ours.folders.items():
        other = theirs.folders.get(source)
        agreement.tally("attachments").add(other is not None and hand.resolve(folder).resolve() ==
                                           draft.resolve(other).resolve(), f"files.folders.{source}")
    for source, tables in ours.columns.items():
        for table, columns in tables.items():
            agreement.tally("attachments").add(sorted(columns) == sorted(theirs.columns.get(source, {}).get(table, [])),
                                               f"files.columns.{source}.{table}")


def compare(hand: Project, draft: Project) -> Agreement:
    """The draft's agreement with the hand-written file (see the module doc)."""
    agreement = Agreement()
    drafted = _tables(draft)
    for where, pair in _tables(hand).items():
        found = where in drafted
        agreement.tally("tables found").add(found, f"{pair[0].name}.{pair[1].name}")
        if found:
            _table(agreement, pair, drafted[where])
    written = set(_tables(hand))
    agreement.extra_tables = [f"{s.name}.{t.name}" for w, (s, t) in drafted.items() if w not in written]
    _lookups(agreement, hand, draft)
    _files(agreement, hand, draft)
    return agreement
