"""The quarantined rows as the web app shows and exports them: scoped and masked.

A quarantined row became no record, so it has no address of its own to scope by. It is shown to a user whose scope
is the whole province; to a user of some communes only when the pipeline kept a record under the same source key
(a duplicate key, a cell-level problem) and that record is in their scope. Everything else a commune user cannot
see — the rows are raw source data, often with a citizen's CCCD in the value, the message or the raw row.

Every text column (value, key, message) goes through :func:`hopnhat.serve.security.mask.mask_text`, on the page and in
the workbook; the raw row itself is never shown or exported.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from hopnhat.load.storedb import StoreReader
from hopnhat.reconcile.export import excel_safe
from hopnhat.serve.pagedata.records import PAGE_ENTITIES, Catalogue
from hopnhat.serve.security.mask import mask_text
from hopnhat.serve.security.scope import Scope, predicate

COLUMNS = ("src_source", "src_table", "src_row", "src_key", "column_name", "raw_value", "reason_code", "message",
           "run_id")
HEADERS = {"src_source": "Nguồn", "src_table": "Bảng", "src_row": "Dòng", "src_key": "Khóa", "column_name": "Cột",
           "raw_value": "Giá trị", "reason_code": "Mã lý do", "message": "Lý do", "run_id": "Lượt chạy"}
MAX_FILTER = 200


class Quarantine:
    def __init__(self, reader: StoreReader, catalogue: Catalogue, row_limit: int, export_limit: int) -> None:
        self.reader, self.cat, self.limit, self.export_limit = reader, catalogue, row_limit, export_limit

    def _scope_sql(self, scope: Scope) -> tuple[str, list[Any]]:
        """Rows whose source key is a record in scope (``record_id`` = source/table/key), or all rows for the
        whole province."""
        if scope.unrestricted:
            return "TRUE", []
        parts, params = [], []
        for entity in PAGE_ENTITIES:
            if not self.cat.has(entity) or "record_id" not in self.cat.columns(entity):
                continue
            cond, sparams = predicate(scope, self.reader.dialect, entity, self.cat.columns(entity), alias="e")
            parts.append(f'EXISTS (SELECT 1 FROM "{entity}" e WHERE e.record_id = '
                         f"q.src_source || '/' || q.src_table || '/' || q.src_key AND {cond})")
            params += sparams
        return ("(q.src_key IS NOT NULL AND (" + " OR ".join(parts) + "))" if parts else "FALSE"), params

    def rows(self, scope: Scope, reason: str | None, source: str | None, table: str | None,
             limit: int | None = None) -> list[dict[str, Any]]:
        """The rows in scope matching the filters, every text masked."""
        if not self.cat.has("quarantine"):
            return []
        where, params = ["TRUE"], []
        for column, value in (("reason_code", reason), ("src_source", source), ("src_table", table)):
            if value:
                where.append(f"q.{column} = ?")
                params.append(value)
        cond, sparams = self._scope_sql(scope)
        cols = ", ".join(f"q.{c}" for c in COLUMNS if c in self.cat.columns("quarantine"))
        rows = self.reader.rows(f"SELECT {cols} FROM quarantine q WHERE {' AND '.join(where)} AND {cond} "
                                "ORDER BY q.src_source, q.src_table, q.src_row", [*params, *sparams],
                                limit=limit or self.limit)
        return [{k: mask_text(v) for k, v in r.items()} for r in rows]

    def workbook(self, scope: Scope, reason: str | None, source: str | None, table: str | None) -> bytes:
        """The same rows (up to the export limit) as an Excel workbook; formula-like text stays text."""
        rows = self.rows(scope, reason, source, table, limit=self.export_limit)
        wb = Workbook()
        ws = wb.active
        ws.title = "cach_ly"
        ws.append([HEADERS.get(c, c) for c in COLUMNS])
        for cell in ws[1]:
            cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
        for r in rows:
            ws.append([excel_safe(mask_text(r.get(c))) for c in COLUMNS])
        for col, width in zip("ABCDEFGHI", (22, 22, 9, 18, 18, 30, 16, 60, 24), strict=True):
            ws.column_dimensions[col].width = width
        ws.freeze_panes = "A2"
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
