"""The catalog state in a DuckDB file, one table per model, so the web app can read it (read-only) later.

Tables: ``inventories``, ``systems``, ``digitisation``, ``decisions``, ``overrides`` (append-only history),
``tasks``, ``task_status`` (append-only history), ``task_runs`` (pipeline runs linked to tasks), ``settings``,
``source_states`` (append-only history of each legacy source's cut-over state).
List and nested fields are JSON text columns.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from pydantic import BaseModel

from hopnhat.catalog.errors import CatalogError
from hopnhat.catalog.model import Decision, Digitisation, Inventory, Override, SourceState, System, Task, TaskStatus
from hopnhat.catalog.settings import CatalogSettings
from hopnhat.catalog.state import CatalogState
from hopnhat.i18n import tr

_TABLES: dict[str, type[BaseModel]] = {
    "systems": System, "digitisation": Digitisation, "decisions": Decision, "overrides": Override, "tasks": Task,
    "task_status": TaskStatus, "source_states": SourceState,
}
_EXTRA_DDL = (
    "CREATE TABLE IF NOT EXISTS inventories (unit_code VARCHAR PRIMARY KEY, unit_name VARCHAR, surveyed_on DATE, "
    "source VARCHAR)",
    "CREATE TABLE IF NOT EXISTS task_runs (task_id VARCHAR, run_id VARCHAR, PRIMARY KEY (task_id, run_id))",
    "CREATE TABLE IF NOT EXISTS settings (name VARCHAR PRIMARY KEY, doc VARCHAR)",
)


def _sql_type(annotation: Any) -> str:
    text = str(annotation)
    for needle, sql in (("list", "JSON"), ("dict", "JSON"), ("Criterion", "JSON"), ("Origin", "JSON"),
                        ("datetime", "TIMESTAMP"),
                        ("date", "DATE"), ("bool", "BOOLEAN"), ("float", "DOUBLE"), ("int", "BIGINT")):
        if needle in text:
            return sql
    return "VARCHAR"


def _columns(model: type[BaseModel]) -> list[tuple[str, str]]:
    return [(name, _sql_type(f.annotation)) for name, f in model.model_fields.items()]


def _ddl(table: str, model: type[BaseModel]) -> str:
    cols = ", ".join(f'"{n}" {"VARCHAR" if t == "JSON" else t}' for n, t in _columns(model))
    return f"CREATE TABLE IF NOT EXISTS {table} ({cols})"


def _check_schema(con: duckdb.DuckDBPyConnection, path: Path) -> set[str]:
    """A store written by an older version (other columns) is refused with what to do, never misread."""
    columns: dict[str, list[str]] = {}
    for table, column in con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = "
                                     "'main' ORDER BY table_name, column_index").fetchall():
        columns.setdefault(table, []).append(column)
    for table, model in _TABLES.items():
        found = columns.get(table, [])
        expected = [n for n, _ in _columns(model)]
        if found and found != expected:
            raise CatalogError(tr("kho danh mục do phiên bản cũ tạo ra: nhập lại kiểm kê vào một tệp --db mới",
                                  "the catalog store was written by an older version: import the inventories again "
                                  "into a new --db file"), source=str(path), table=table,
                               reason=tr("thiếu hoặc thừa cột: ", "columns differ: ")
                               + ", ".join(sorted(set(found) ^ set(expected))))
    return set(columns)


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    path = Path(path)
    if read_only and not path.exists():
        raise CatalogError(tr("chưa có kho danh mục: chạy 'hopnhat catalog import' trước",
                              "no catalog store yet: run 'hopnhat catalog import' first"), source=str(path))
    if path.is_dir():
        raise CatalogError(tr("--db phải là một tệp, không phải thư mục", "--db must be a file, not a folder"),
                           source=str(path))
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise CatalogError(tr("không mở được kho danh mục (tệp đang được dùng hoặc không phải DuckDB)",
                              "cannot open the catalog store (in use, or not a DuckDB file)"), source=str(path),
                           reason=type(exc).__name__) from exc
    try:
        existing = _check_schema(con, path)
        if not read_only and not {*_TABLES, "inventories", "task_runs", "settings"} <= existing:
            for table, model in _TABLES.items():
                con.execute(_ddl(table, model))
            for ddl in _EXTRA_DDL:
                con.execute(ddl)
        yield con
    finally:
        con.close()


def _row(item: BaseModel, model: type[BaseModel]) -> list[Any]:
    data = item.model_dump(mode="python")
    out = []
    for name, sql in _columns(model):
        value = data[name]
        out.append(json.dumps(item.model_dump(mode="json")[name], ensure_ascii=False) if sql == "JSON" else value)
    return out


def _insert(con: duckdb.DuckDBPyConnection, table: str, items: Sequence[BaseModel]) -> None:
    if not items:
        return
    model = _TABLES[table]
    names = [n for n, _ in _columns(model)]
    rows = [_row(i, model) for i in items]
    batch = pa.table({n: [r[k] for r in rows] for k, n in enumerate(names)})
    con.register("_catalog_rows", batch)
    try:
        con.execute(f"INSERT INTO {table} SELECT * FROM _catalog_rows")
    finally:
        con.unregister("_catalog_rows")


def _read(con: duckdb.DuckDBPyConnection, table: str, order: str = "rowid") -> list[Any]:
    model = _TABLES[table]
    cols = _columns(model)
    names = ", ".join(f'"{n}"' for n, _ in cols)
    rows = con.execute(f"SELECT {names} FROM {table} ORDER BY {order}").fetchall()
    return [model.model_validate({n: json.loads(v) if t == "JSON" and v is not None else v
                                  for (n, t), v in zip(cols, r, strict=True)}) for r in rows]


# ---------------------------------------------------------------- writes

def save_inventory(path: Path, inventory: Inventory, digitisation: Sequence[Digitisation], source: str = "") -> None:
    """Replace one old province's inventory (and its digitisation figures of the same dates)."""
    with connect(path) as con:
        con.execute("DELETE FROM systems WHERE unit_code = ?", [inventory.unit_code])
        con.execute("DELETE FROM inventories WHERE unit_code = ?", [inventory.unit_code])
        con.execute("INSERT INTO inventories VALUES (?, ?, ?, ?)",
                    [inventory.unit_code, inventory.unit_name, inventory.surveyed_on, source])
        _insert(con, "systems", inventory.systems)
        for as_of in sorted({d.as_of for d in digitisation}):
            con.execute("DELETE FROM digitisation WHERE unit_code = ? AND as_of = ?", [inventory.unit_code, as_of])
        _insert(con, "digitisation", list(digitisation))


def save_settings(path: Path, settings: CatalogSettings) -> None:
    with connect(path) as con:
        con.execute("INSERT OR REPLACE INTO settings VALUES ('catalog', ?)", [settings.model_dump_json()])


def save_decisions(path: Path, decisions: Sequence[Decision]) -> None:
    with connect(path) as con:
        con.execute("DELETE FROM decisions")
        _insert(con, "decisions", decisions)


def add_overrides(path: Path, overrides: Sequence[Override]) -> None:
    """Append overrides to the history (the latest per system applies); an identical one is not repeated."""
    with connect(path) as con:
        known = {(o.system_id, o.action, o.note) for o in _read(con, "overrides")}
        _insert(con, "overrides", [o for o in overrides if (o.system_id, o.action, o.note) not in known])


def save_tasks(path: Path, tasks: Sequence[Task]) -> None:
    with connect(path) as con:
        con.execute("DELETE FROM tasks")
        _insert(con, "tasks", [t.model_copy(update={"run_ids": []}) for t in tasks])
        for t in tasks:
            for run in t.run_ids:
                con.execute("INSERT OR IGNORE INTO task_runs VALUES (?, ?)", [t.id, run])


def add_status(path: Path, status: TaskStatus) -> None:
    with connect(path) as con:
        _insert(con, "task_status", [status])


def add_source_state(path: Path, state: SourceState) -> None:
    with connect(path) as con:
        _insert(con, "source_states", [state])


def add_run_link(path: Path, task_id: str, run_id: str) -> None:
    with connect(path) as con:
        con.execute("INSERT OR IGNORE INTO task_runs VALUES (?, ?)", [task_id, run_id])


# ---------------------------------------------------------------- reads

def _inventories(con: duckdb.DuckDBPyConnection) -> list[Inventory]:
    systems = _read(con, "systems")
    rows = con.execute("SELECT unit_code, unit_name, surveyed_on FROM inventories ORDER BY unit_code").fetchall()
    return [Inventory(unit_code=c, unit_name=n, surveyed_on=d, systems=[s for s in systems if s.unit_code == c])
            for c, n, d in rows]


def _tasks(con: duckdb.DuckDBPyConnection) -> list[Task]:
    runs: dict[str, list[str]] = {}
    for task_id, run_id in con.execute("SELECT task_id, run_id FROM task_runs ORDER BY run_id").fetchall():
        runs.setdefault(task_id, []).append(run_id)
    return [t.model_copy(update={"run_ids": runs.get(t.id, [])}) for t in _read(con, "tasks")]


def _settings(con: duckdb.DuckDBPyConnection) -> CatalogSettings:
    row = con.execute("SELECT doc FROM settings WHERE name = 'catalog'").fetchone()
    return CatalogSettings.model_validate_json(row[0]) if row else CatalogSettings()


def _source_states(con: duckdb.DuckDBPyConnection) -> list[SourceState]:
    """The history of source states (none in a catalog written before they were kept)."""
    found = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = "
                        "'source_states'").fetchone()
    return _read(con, "source_states") if found and found[0] else []


def load_state(path: Path) -> CatalogState:
    """Everything in the store, opened read-only (as the web app will)."""
    with connect(path, read_only=True) as con:
        return CatalogState(inventories=_inventories(con), digitisation=_read(con, "digitisation"),
                            decisions=_read(con, "decisions"), overrides=_read(con, "overrides"),
                            tasks=_tasks(con), statuses=_read(con, "task_status"), settings=_settings(con),
                            source_states=_source_states(con))
