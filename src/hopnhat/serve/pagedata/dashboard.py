"""The migration dashboard's data: runs, per-table stage, the reconciliation balance per source table (latest run),
quarantine counts by reason (the rows themselves, scoped and masked, are served by
:mod:`hopnhat.serve.pagedata.quarantine`), the review queue left, the in-flight dossiers. Housekeeping tables carry no
citizen scope. """

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hopnhat.i18n import tr
from hopnhat.load.storedb import StoreReader
from hopnhat.reconcile.books import Balance
from hopnhat.reconcile.declared import DeclaredCheck, recorded
from hopnhat.serve.pagedata.records import Catalogue
from hopnhat.serve.security.scope import Scope, predicate

OPEN_EXCLUDED = (3, 7, 9, 10)  # refused, withdrawn, processed, returned: not in flight


class Dashboard:
    def __init__(self, reader: StoreReader, catalogue: Catalogue, row_limit: int, export_limit: int) -> None:
        self.reader, self.cat, self.limit, self.export_limit = reader, catalogue, row_limit, export_limit

    def runs(self) -> list[dict[str, Any]]:
        if not self.cat.has("runs"):
            return []
        return self.reader.rows("SELECT * FROM runs ORDER BY started_at DESC", limit=self.limit)

    def stages(self) -> list[dict[str, Any]]:
        if not self.cat.has("table_state"):
            return []
        return self.reader.rows("SELECT * FROM table_state ORDER BY src_source, src_table", limit=self.limit)

    def failures(self) -> dict[tuple[str, str], str]:
        """(source, table) → the error of its last failed load (tables that have not loaded since)."""
        if not self.cat.has("table_failures"):
            return {}
        rows = self.reader.rows("SELECT src_source, src_table, error FROM table_failures", limit=self.limit)
        return {(r["src_source"], r["src_table"]): r["error"] for r in rows}

    def balances(self) -> list[Balance]:
        """The latest reconciliation row of each source table, as the books computed it (checksums included), with
        the table's failed load if it has one."""
        if not self.cat.has("reconciliation"):
            return []
        rows = self.reader.rows(
            "SELECT r.* FROM reconciliation r JOIN (SELECT src_source, src_table, max(run_id) AS run_id "
            "FROM reconciliation GROUP BY src_source, src_table) m ON m.src_source = r.src_source "
            "AND m.src_table = r.src_table AND m.run_id = r.run_id ORDER BY r.src_source, r.src_table",
            limit=self.limit)
        failed, checks = self.failures(), self.declared()
        out = [Balance.recorded(r, failed.get((r["src_source"], r["src_table"]))) for r in rows]
        for b in out:
            b.declared = checks.get((b.source, b.table))
        return out

    def declared(self) -> dict[tuple[str, str], DeclaredCheck]:
        """(source, table) → its export's declared count against the rows read, as the last run judged it."""
        if not self.cat.has("declared_counts"):
            return {}
        rows = self.reader.rows("SELECT * FROM declared_counts ORDER BY src_source, src_table", limit=self.limit)
        return {(c.source, c.table): c for c in recorded(rows)}

    def quarantine_counts(self) -> list[dict[str, Any]]:
        if not self.cat.has("quarantine"):
            return []
        return self.reader.rows("SELECT reason_code, src_source, src_table, count(*) AS n FROM quarantine "
                                "GROUP BY reason_code, src_source, src_table ORDER BY n DESC, reason_code",
                                limit=self.limit)

    def in_flight(self, scope: Scope, cutover: date, today: date) -> list[dict[str, Any]]:
        """Dossiers open at the cut-over: received before it, status not final; overdue first, then days left."""
        if not self.cat.has("dossier"):
            return []
        cols = self.cat.columns("dossier")
        cond, params = predicate(scope, self.reader.dialect, "dossier", cols)
        excluded = ", ".join(str(s) for s in OPEN_EXCLUDED)
        rows = self.reader.rows(
            f"SELECT record_id, code, procedure_name, applicant_name, receiving_unit, receiving_unit_name, "
            f"receiving_unit_new_commune_code, receiving_unit_candidates, receiving_unit_status, received_at, due_at, "
            f"status FROM dossier WHERE received_at < ? AND (status IS NULL OR status NOT IN ({excluded})) AND {cond} "
            f"ORDER BY due_at NULLS FIRST, code", [datetime.combine(cutover, datetime.min.time()), *params],
            limit=self.limit)
        for r in rows:
            due = r["due_at"].date() if isinstance(r["due_at"], datetime) else r["due_at"]
            r["days_left"] = (due - today).days if due else None
            r["overdue"] = r["days_left"] is not None and r["days_left"] < 0
        return sorted(rows, key=lambda r: (not r["overdue"], r["days_left"] if r["days_left"] is not None else -10**6))




_REASONS = {
    "bad_date": ("Ngày không hợp lệ", "Invalid date"), "impossible_date": ("Ngày không tồn tại", "Impossible date"),
    "bad_time": ("Giờ không hợp lệ", "Invalid time"), "duplicate_key": ("Trùng khóa", "Duplicate key"),
    "short_row": ("Dòng thiếu cột", "Short row"), "long_row": ("Dòng thừa cột", "Long row"),
    "footer_total": ("Dòng tổng cộng cuối báo cáo, không phải bản ghi", "A report's footer total, not a record"),
    "signature_block": ("Phần ký tên dưới dòng tổng cộng của báo cáo, không phải bản ghi",
                        "A report's signature block below its footer total, not a record"),
    "unreadable_row": ("Dòng không đọc được", "Unreadable row"), "bad_json": ("JSON hỏng", "Broken JSON"),
    "bad_encoding": ("Lỗi bảng mã", "Encoding error"),
    "bad_id_chars": ("Số giấy tờ có ký tự lạ", "ID with bad characters"),
    "bad_id_length": ("Số giấy tờ sai độ dài", "ID of wrong length"),
    "bad_tax_chars": ("Mã số thuế có ký tự lạ", "Tax code with bad characters"),
    "bad_tax_length": ("Mã số thuế sai độ dài", "Tax code of wrong length"),
    "bad_check_digit": ("Sai số kiểm tra", "Wrong check digit"), "bad_branch": ("Mã chi nhánh sai", "Bad branch code"),
    "bad_phone_chars": ("Số điện thoại có ký tự lạ", "Phone with bad characters"),
    "bad_phone_length": ("Số điện thoại sai độ dài", "Phone of wrong length"),
    # dBase/FoxPro tables (hopnhat.ingest.dbf)
    "deleted_in_source": ("Bản ghi đã đánh dấu xóa trong tệp nguồn", "Marked deleted in the source"),
    "bad_number": ("Số không hợp lệ", "Invalid number"),
    "bad_logical": ("Giá trị đúng/sai không hợp lệ", "Invalid logical value"),
    "bad_memo": ("Không đọc được ghi chú (memo)", "Memo not readable"),
    "bad_record_flag": ("Cờ bản ghi lạ", "Strange record flag"),
    "bad_text": ("Văn bản sai bảng mã", "Undecodable text"),
    "bad_value": ("Giá trị không đọc được", "Unreadable value"),
    "binary_junk": ("Dữ liệu nhị phân", "Binary data"),
}


def reason_label(code: str) -> str:
    """The pipeline's quarantine reason codes in words (unknown codes are shown as they are)."""
    vi, en = _REASONS.get(code, (code, code))
    return tr(vi, en)
