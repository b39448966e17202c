"""Before a migration does any work: every source file of the merger file is there and is what it claims, every
table's ``source_key`` names a column of its header, and the store is none of the sources.

:func:`preflight` reads only each file's first bytes and header (no data rows). The first problem found is raised
as an :class:`~hopnhat.errors.InputError` or :class:`~hopnhat.errors.ConfigError` naming the source, the table, the
file and the key of merger.yaml, with what to do — before the store is opened, so a refused run changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from hopnhat.errors import ConfigError, InputError
from hopnhat.i18n import tr
from hopnhat.io.inputs import check_input
from hopnhat.project.config import FILE_KINDS, Project, SourceSpec, TableSpec

_CONTENT = {"csv": "text", "tsv": "text", "json": "json", "ndjson": "json", "xml": "xml", "parquet": "parquet",
            "dbf": "dbf"}
_HEADED = ("csv", "tsv", "excel", "parquet", "dbf")


def _expected(source: SourceSpec, path: Path) -> str:
    if source.kind == "excel":
        return "ole" if path.suffix.lower() == ".xls" else "zip"
    return _CONTENT[source.kind]


def _table_file(project: Project, source: SourceSpec, table: TableSpec) -> Path:
    path = project.resolve(table.path or source.path or "")
    try:
        check_input(path, content=_expected(source, path))
    except InputError as exc:
        exc.table = f"{source.name}.{table.name}"
        if exc.hint and "kind" in exc.hint:
            exc.key = f"sources[{source.name}].kind = {source.kind}"
        raise
    return path


def _records_found(project: Project, source: SourceSpec, table: TableSpec) -> None:
    """A table whose records sit under a path (`records:`) is opened up to its first record: a path leading
    nowhere, malformed XML or a declared entity is refused before the run."""
    from hopnhat.ingest.api import open_table

    if table.records is not None or source.kind == "xml":
        open_table(project, source, table, batch_rows=1).stack.close()


def _header_has_key(project: Project, source: SourceSpec, table: TableSpec, path: Path) -> None:
    from hopnhat.ingest.api import open_table

    if table.source_key is None or source.kind not in _HEADED:
        return
    opened = open_table(project, source, table, batch_rows=1)
    with opened.stack:
        header = opened.header or []
    missing = [c for c in table.source_key.source_columns() if c not in header]
    if missing:
        raise InputError(tr("Cột khóa nguồn (source_key) không có trong tệp",
                            "The source_key column is not in the file"),
                         source=str(path), table=f"{source.name}.{table.name}", column=missing[0],
                         key=f"sources[{source.name}].tables[{table.name}].source_key",
                         reason=tr("các cột của dòng tiêu đề: ", "the header's columns: ") + ", ".join(header[:30]),
                         hint=tr("ghi đúng tên cột khóa trong merger.yaml (hoặc kiểm tra dấu phân cách 'delimiter')",
                                 "name the key column exactly in merger.yaml (or check the table's 'delimiter')"))


def _store_apart(project: Project, files: dict[Path, str]) -> None:
    for key, target in (("store.path", project.store_path), ("store.catalog", project.catalog_path),
                        ("store.app_db", project.app_db_path)):
        resolved = target.resolve()
        for file, owner in files.items():
            if resolved == file or file in resolved.parents:
                raise ConfigError(tr("Kho dữ liệu trùng với (hoặc nằm dưới) một tệp nguồn",
                                     "The store is (or is below) a source file"),
                                  source=str(project.path), key=key, value=str(target),
                                  reason=tr(f"{owner} đọc tệp {file}; ghi kho vào đó sẽ hỏng dữ liệu nguồn",
                                            f"{owner} reads {file}; writing the store there would damage the source"),
                                  hint=tr(f"đặt {key} là một tệp mới, ví dụ hopnhat.duckdb",
                                          f"set {key} to a new file, e.g. hopnhat.duckdb"))


def _declared_notice(project: Project, source: SourceSpec, table: TableSpec) -> str | None:
    """What a table's export declares against the records in it, when they differ unacknowledged (in words)."""
    from hopnhat.ingest.declared import table_declared

    found = table_declared(project, source, table)
    if found is None:
        return None
    name = f"{source.name}/{table.name}"
    if found.value is None:
        return f"{name}: declared_total {table.declared_total}: {found.problem}"
    accepted = table.accept_short is not None and table.accept_short.covers(found.value, found.records)
    if found.value == found.records or accepted:
        return None
    text = tr(f"{name}: tệp khai báo {found.value:,} bản ghi ({found.where} = {found.text}), trong tệp có "
              f"{found.records:,}", f"{name}: the export declares {found.value:,} records ({found.where} = "
              f"{found.text}), the file holds {found.records:,}")
    if found.paging is not None and found.paging.more_pages():
        text += tr(f" — một trang của bản xuất phân trang ({found.paging.words()})",
                   f" — one page of a paginated dump ({found.paging.words()})")
    return text


def early(source: SourceSpec, table: TableSpec) -> bool:
    """Whether a table's declared count is checked before the run. Not an Excel report's footer: the count and the
    records it is judged against are known only once the whole sheet is read, which the load does anyway; reading
    it once more here doubled the time of a large report (200,000 rows: 17 s of a 51 s ``migrate``) to say a little
    earlier what the run's books say at its end."""
    return table.declared_total is not None and not (table.declared_total == "footer" and source.kind == "excel")


def declared_notices(project: Project) -> list[str]:
    """Every table whose export declares another count than it holds (``declared_total:``, not acknowledged by
    ``accept_short:``), in words: reported before the run, which loads what is there and ends non-zero. Each
    declaring file is read once more for it: a JSON or XML file cheaply, a CSV report whole (1.8 s at 200,000
    rows). An Excel report is not (:func:`early`): its count is judged from the load's own read of the sheet."""
    notices = []
    for source in project.config.sources:
        for table in source.tables:
            if early(source, table):
                notice = _declared_notice(project, source, table)
                if notice is not None:
                    notices.append(notice)
    return notices


def preflight(project: Project) -> None:
    """Check every source file, header key and the store's place (see the module docstring)."""
    files: dict[Path, str] = {}
    for source in project.config.sources:
        if source.kind == "sqlite" and source.path:
            files[project.resolve(source.path).resolve()] = source.name
            check_input(project.resolve(source.path))
        for lookup in source.lookups.values():
            files[project.resolve(lookup.path).resolve()] = source.name
        if source.kind not in FILE_KINDS:
            continue
        for table in source.tables:
            path = _table_file(project, source, table)
            files[path.resolve()] = f"{source.name}.{table.name}"
            _header_has_key(project, source, table, path)
            _records_found(project, source, table)
    _store_apart(project, files)
