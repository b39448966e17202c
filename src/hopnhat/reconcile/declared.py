"""The books' check of what an export says it holds (``declared_total:``) against the records read.

read = loaded + merged + quarantined says no row read was lost; it cannot say a row was never read. A clerk who
exported page 1 of 124, or a transfer that cut the file where it still parses, gives 100 records where 12,345 exist,
and the books balance. So a table's declared count is a finding of its own, kept beside the books:

- taken when the table loads — from the load's own read for a report's footer, else by
  :func:`hopnhat.ingest.declared.table_declared` (:func:`scan_declared`) —, kept in the store's ``declared_counts``
  (one row per source table: a table skipped as unchanged keeps its scan);
- judged at reconciliation (:func:`judge`) against the books' ``read``, a report's own rows (its footer totals and
  signature block, quarantined) aside: ``ok``, ``short``, ``paged`` (short, and the paging beside the total says
  more pages exist), ``over``, or ``missing`` (no count where ``declared_total`` points, or not a number);
- acknowledged only by the merger file's ``accept_short: {declared, read, reason}`` with the very counts seen: a
  later run reading other counts is a finding again. An unacknowledged finding makes ``hopnhat migrate`` exit 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import duckdb

from hopnhat.errors import HopnhatError
from hopnhat.i18n import tr
from hopnhat.ingest.declared import Declared, Paging, table_declared
from hopnhat.ingest.footer import REPORT_CODES
from hopnhat.load.store import one
from hopnhat.project.config import Project, SourceSpec, TableSpec

COLUMNS = ("src_source", "src_table", "scanned_run", "found_at", "declared", "declared_text", "counted", "page",
           "page_size", "pages", "problem", "read", "status", "accepted", "run_id")


@dataclass
class DeclaredCheck:
    """A table's declared count against its records read, and whether the merger file acknowledges the difference."""

    source: str
    table: str
    found_at: str
    declared: int | None
    declared_text: str | None
    read: int
    page: int | None = None
    page_size: int | None = None
    pages: int | None = None
    problem: str | None = None
    accepted: str | None = None  # the acknowledgement's reason (accept_short), when it covers these counts
    counted: int | None = None  # the records the scan counted (preflight's figure)

    @property
    def status(self) -> str:
        if self.declared is None:
            return "missing"
        if self.read == self.declared:
            return "ok"
        if self.read > self.declared:
            return "over"
        return "paged" if self.pages is not None and self.pages > 1 else "short"

    @property
    def finding(self) -> bool:
        """A difference nobody acknowledged: the run ends non-zero."""
        return self.status != "ok" and self.accepted is None

    def words(self) -> str:
        """The finding in a sentence (the user's language)."""
        at = f"{self.found_at} = {self.declared_text}" if self.declared_text is not None else self.found_at
        if self.status == "missing":
            return tr(f"không đọc được tổng khai báo ({at}): {self.problem}",
                      f"no declared total read ({at}): {self.problem}")
        if self.status == "ok":
            return tr(f"khớp: tệp khai báo {self.declared:,} ({at}), đã đọc {self.read:,}",
                      f"matches: the file declares {self.declared:,} ({at}), {self.read:,} read")
        gap = abs((self.declared or 0) - self.read)
        text = tr(f"tệp khai báo {self.declared:,} bản ghi ({at}), chỉ đọc được {self.read:,}: thiếu {gap:,}",
                  f"the file declares {self.declared:,} records ({at}), {self.read:,} read: {gap:,} missing")
        if self.status == "over":
            text = tr(f"tệp khai báo {self.declared:,} bản ghi ({at}) nhưng đọc được {self.read:,}: thừa {gap:,}",
                      f"the file declares {self.declared:,} records ({at}) but {self.read:,} read: {gap:,} extra")
        if self.status == "paged":
            paging = Paging(self.page, self.page_size, self.pages).words()
            text += tr(f" — chỉ là một trang của bản xuất phân trang ({paging})",
                       f" — one page of a paginated dump ({paging})")
        return text

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status, "finding": self.finding}


def _check(source: SourceSpec, table: TableSpec, found: Declared, read: int) -> DeclaredCheck:
    paging = found.paging
    check = DeclaredCheck(source.name, table.name, found.where, found.value, found.text, read,
                          paging.page if paging else None, paging.page_size if paging else None,
                          paging.pages if paging else None, found.problem, counted=found.records)
    if table.accept_short is not None and check.status != "ok" and table.accept_short.covers(found.value, read):
        check.accepted = table.accept_short.reason
    return check


def declared_tables(project: Project) -> list[tuple[SourceSpec, TableSpec]]:
    return [(s, t) for s in project.config.sources for t in s.tables if t.declared_total is not None]


def scan_one(project: Project, source: SourceSpec, table: TableSpec) -> Declared:
    """The table's declared count; a file that cannot be read is a ``missing`` finding saying why."""
    try:
        found = table_declared(project, source, table)
    except (HopnhatError, OSError) as exc:  # the file went away or changed kind since it loaded
        return Declared(table.declared_total or "", None, None, 0, problem=str(exc))
    assert found is not None
    return found


def scan_declared(con: duckdb.DuckDBPyConnection, project: Project, run_id: str,
                  loaded: Mapping[str, Declared | None]) -> int:
    """Keep the declared count of every table loaded this run (``source/table`` → the count its load's own read
    found, None when that read could not say) and of every declaring table not scanned yet, in
    ``declared_counts``. A table's file is read again for it only when its load did not find it. Returns how many
    files were read again."""
    kept = {(s, t) for s, t in con.execute("SELECT src_source, src_table FROM declared_counts").fetchall()}
    n = 0
    for source, table in declared_tables(project):
        key = f"{source.name}/{table.name}"
        found = loaded.get(key)
        if found is None and (key in loaded or (source.name, table.name) not in kept):
            found = scan_one(project, source, table)
            n += 1
        if found is not None:
            _keep_scan(con, run_id, source, table, found)
    return n


def _keep_scan(con: duckdb.DuckDBPyConnection, run_id: str, source: SourceSpec, table: TableSpec,
               found: Declared) -> None:
    paging = found.paging
    con.execute("DELETE FROM declared_counts WHERE src_source = ? AND src_table = ?", [source.name, table.name])
    con.execute(f"INSERT INTO declared_counts ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                [source.name, table.name, run_id, found.where, found.value, found.text, found.records,
                 paging.page if paging else None, paging.page_size if paging else None,
                 paging.pages if paging else None, found.problem, None, None, None, None])


def judge(con: duckdb.DuckDBPyConnection, project: Project, run_id: str, reads: dict[tuple[str, str], int]
          ) -> list[DeclaredCheck]:
    """Every declaring table's check against the books' ``reads`` ((source, table) → read), written back to
    ``declared_counts`` for this run; rows of tables that no longer declare a total are dropped."""
    wanted = declared_tables(project)
    names = {(s.name, t.name) for s, t in wanted}
    for s, t in con.execute("SELECT src_source, src_table FROM declared_counts").fetchall():
        if (s, t) not in names:
            con.execute("DELETE FROM declared_counts WHERE src_source = ? AND src_table = ?", [s, t])
    checks = []
    own = report_rows(con)
    for source, table in wanted:
        found = _kept(con, source.name, table.name)
        if found is None:
            continue
        key = (source.name, table.name)
        check = _check(source, table, found, reads.get(key, 0) - own.get(key, 0))
        con.execute("UPDATE declared_counts SET read = ?, status = ?, accepted = ?, run_id = ? WHERE src_source = ? "
                    "AND src_table = ?", [check.read, check.status, check.accepted, run_id, source.name, table.name])
        checks.append(check)
    return checks


def report_rows(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], int]:
    """(source, table) → the rows that are a report's own (footer totals, signature block lines): read and
    quarantined, no records, so never counted against the records it declares."""
    marks = ", ".join("?" * len(REPORT_CODES))
    rows = con.execute(f"SELECT src_source, src_table, count(*) FROM quarantine WHERE reason_code IN ({marks}) "
                       "GROUP BY ALL", list(REPORT_CODES)).fetchall()
    return {(s, t): int(n) for s, t, n in rows}


def _kept(con: duckdb.DuckDBPyConnection, source: str, table: str) -> Declared | None:
    row = con.execute("SELECT found_at, declared, declared_text, counted, page, page_size, pages, problem FROM "
                      "declared_counts WHERE src_source = ? AND src_table = ?", [source, table]).fetchone()
    if row is None:
        return None
    found_at, value, text, counted, page, size, pages, problem = row
    paging = Paging(page, size, pages) if (page, size, pages) != (None, None, None) else None
    return Declared(found_at, value, text, int(counted or 0), paging, problem)


def recorded(rows: Iterable[dict[str, Any]]) -> list[DeclaredCheck]:
    """Checks as a run recorded them (rows of ``declared_counts``), for the report and the web app."""
    return [DeclaredCheck(r["src_source"], r["src_table"], r["found_at"], r["declared"], r["declared_text"],
                          int(r["read"] or 0), r["page"], r["page_size"], r["pages"], r["problem"], r["accepted"],
                          r["counted"]) for r in rows if r.get("status") is not None]


def recorded_checks(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], DeclaredCheck]:
    """(source, table) → its check as the last run recorded it (none in a store written before the checks)."""
    if not one(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'declared_counts'")[0]:
        return {}
    cursor = con.execute(f"SELECT {', '.join(COLUMNS)} FROM declared_counts")
    rows = [dict(zip(COLUMNS, r, strict=True)) for r in cursor.fetchall()]
    return {(c.source, c.table): c for c in recorded(rows)}
