"""The files of a merger file's sources read into the store: each source's manifest (``files.manifests``), the
path columns of its tables (``files.columns``), relative to the source's folder (``files.folders``), and the BLOB
columns of its SQL tables (``files.blobs``, :mod:`hopnhat.files.blobs`).

A path column's reference is keyed by the record's source key when the table's key is one plain column (as the
record's ``src_key`` in the store), else by the source row (``src_row``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from hopnhat.errors import InputError
from hopnhat.files.intake import Item, from_blobs, from_manifest, from_paths, take_all
from hopnhat.files.ledger import Books, Ledger
from hopnhat.files.store import FileStore, FolderStore
from hopnhat.i18n import tr
from hopnhat.project.config import ColumnSpec, Project, SourceSpec, TableSpec


@dataclass
class FilesOutcome:
    """What one pass did per source (stored, duplicate, quarantined, skipped) and the books after it."""

    done: dict[str, Counter[str]] = field(default_factory=dict)
    books: list[Books] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return all(b.balanced for b in self.books)


def open_files(project: Project) -> tuple[FileStore, Ledger]:
    """The project's file store — a folder (``files.path``, beside the unified store by default) or an S3-compatible
    bucket (``files.s3``) — and its ledger (``files.path``/files.sqlite)."""
    root = project.resolve(project.config.files.path)
    s3 = project.config.files.s3
    if s3 is None:
        return FolderStore(root), Ledger(root / "files.sqlite")
    from hopnhat.files.s3store import S3Store  # boto3 loaded only by the projects that use a bucket

    store: FileStore = S3Store(s3)
    return store, Ledger(root / "files.sqlite")


def _path_cells(project: Project, source: SourceSpec, table: TableSpec, column: str) -> Iterator[tuple[str, str]]:
    """(record key, path) of every non-empty cell of a path column, read by the ingest stage like the mapping."""
    from hopnhat.ingest import read_table  # the readers (pyarrow, SQLAlchemy…) loaded when a path column is read

    wider = table.model_copy(update={"columns": {**table.columns, f"__file__{column}": ColumnSpec(column=column)}})
    key = table.source_key.column if table.source_key is not None and table.source_key.column else None
    for batch in read_table(project, source, wider):
        if column not in batch.column_names:
            raise InputError(tr("Không có cột đường dẫn tệp", "File path column not found"), source=source.name,
                             table=table.name, column=column,
                             hint=tr("sửa files.columns trong tệp hợp nhất", "fix files.columns in the merger file"))
        rows = batch["_row"].to_pylist()
        keys = batch[key].to_pylist() if key and key in batch.column_names else [None] * len(rows)
        for row, k, path in zip(rows, keys, batch[column].to_pylist(), strict=True):
            if path:
                yield (str(k) if k is not None else str(row)), path


def _items(project: Project, source: str) -> Iterator[Item]:
    files = project.config.files
    folder = project.resolve(files.folders.get(source, "."))
    if source in files.manifests:
        path = folder / files.manifests[source]
        if not path.is_file():
            raise InputError(tr("Không thấy danh mục tệp", "File manifest not found"), source=source,
                             value=str(path), hint=tr("sửa files.manifests trong tệp hợp nhất",
                                                      "fix files.manifests in the merger file"))
        yield from from_manifest(source, folder, path)
    spec = project.source(source)
    for table_name, columns in files.columns.get(source, {}).items():
        table = _table(spec, table_name, "files.columns")
        for column in columns:
            yield from from_paths(source, table.name, column, folder, _path_cells(project, spec, table, column))
    for table_name, blobs in files.blobs.get(source, {}).items():
        from hopnhat.files.blobs import blob_cells  # SQLAlchemy loaded when a BLOB column is read

        table = _table(spec, table_name, "files.blobs")
        for column, name_column in blobs.items():
            yield from from_blobs(source, table.name, column, blob_cells(project, spec, table, column, name_column))


def _table(spec: SourceSpec, name: str, where: str) -> TableSpec:
    table = next((t for t in spec.tables if t.name == name), None)
    if table is None:
        raise InputError(tr(f"{where} nêu một bảng không có", f"{where} names a table that is not there"),
                         source=spec.name, table=name)
    return table


def file_sources(project: Project) -> list[str]:
    """The sources whose files the merger file asks for (a manifest or path columns)."""
    files = project.config.files
    return list(dict.fromkeys([*files.manifests, *files.columns, *files.blobs]))


def take_manifests(project: Project) -> FilesOutcome:
    """Read every source's files into the store (resumable: references already in the ledger are skipped)."""
    store, ledger = open_files(project)
    outcome = FilesOutcome()
    try:
        store.clear_partial()
        for source in file_sources(project):
            outcome.done[source] = take_all(store, ledger, _items(project, source))
        outcome.books = ledger.books()
    finally:
        ledger.close()
    return outcome
