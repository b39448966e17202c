"""The signed cut-over report: what moved, what was quarantined, who signed off — as canonical JSON with an
HMAC-SHA256 signature by the project's audit key (the key of the web app's audit chain and its checkpoints), and a
readable HTML page of the same facts.

The signature covers the canonical text of the report (keys sorted, compact separators); :func:`verify_report`
recomputes it: any edit of the file, or another key, fails.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from hopnhat.i18n import tr

SCHEME = "hmac-sha256"


@dataclass(frozen=True)
class Signer:
    """The key that signs (never written anywhere) and its public id (to tell which key signed)."""

    key: bytes
    key_id: str

    def sign(self, text: str) -> str:
        return hmac.new(self.key, ("cutover:" + text).encode("utf-8"), hashlib.sha256).hexdigest()


def canonical(report: dict[str, Any]) -> str:
    return json.dumps(report, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def signed(report: dict[str, Any], signer: Signer) -> dict[str, Any]:
    """The report with its signature block."""
    return {"report": report, "signature": {"scheme": SCHEME, "key_id": signer.key_id,
                                            "value": signer.sign(canonical(report))}}


def verify_report(document: dict[str, Any], signer: Signer) -> bool:
    """True when ``document`` (as :func:`signed` wrote it) is unchanged and signed by this key."""
    sig = document.get("signature") or {}
    if sig.get("scheme") != SCHEME or sig.get("key_id") != signer.key_id:
        return False
    return hmac.compare_digest(signer.sign(canonical(document.get("report") or {})), str(sig.get("value", "")))


def _rows(items: Sequence[tuple[str, ...]]) -> str:
    return "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in items)


def _head(*names: str) -> str:
    return "<tr>" + "".join(f"<th>{escape(n)}</th>" for n in names) + "</tr>"


def _book_heads() -> tuple[str, ...]:
    return (tr("Bảng", "Table"), tr("Đọc", "Read"), tr("Nạp", "Loaded"), tr("Gộp", "Merged"),
            tr("Cách ly", "Quarantined"), tr("Cân đối", "Balanced"))


def report_html(document: dict[str, Any]) -> str:
    """The report for people: the source, the freeze, the books per table, the quarantine, the signature."""
    r, sig = document["report"], document["signature"]
    books = [(b["table"], f"{b['read']:,}", f"{b['loaded']:,}", f"{b['merged']:,}", f"{b['quarantined']:,}",
              "✔" if b["balanced"] else "✘") for b in r["books"]]
    quarantine = [(q["table"], q["reason"], f"{q['rows']:,}") for q in r["quarantine"]]
    frozen = [(str(name), json.dumps(item, sort_keys=True)) for name, item in sorted(r["snapshot"].items())]
    title = tr(f"Biên bản chuyển đổi nguồn {r['source']}", f"Cut-over report of source {r['source']}")
    body = (f"<h1>{escape(title)}</h1><p>{escape(tr('Hệ thống', 'System'))}: {escape(str(r['system_id']))} · "
            f"{escape(tr('đóng băng lúc', 'frozen at'))} {escape(r['frozen_at'])} · "
            f"{escape(tr('chuyển xong lúc', 'cut over at'))} {escape(r['cut_over_at'])} · "
            f"{escape(tr('người ký', 'signed by'))}: <b>{escape(r['signed_by'])}</b>"
            f"{' · ' + escape(tr('DIỄN TẬP', 'REHEARSAL')) if r['rehearsal'] else ''}</p>"
            f"<p>{escape(tr('Lượt chạy', 'Run'))} {escape(str(r['run_id']))}, "
            f"{escape(tr('phiên bản kho', 'store version'))} {escape(str(r['store_version']))}</p>"
            f"<h2>{escape(tr('Sổ sách: đọc = nạp + gộp + cách ly', 'Books: read = loaded + merged + quarantined'))}"
            f"</h2><table>{_head(*_book_heads())}"
            f"{_rows(books)}</table><h2>{escape(tr('Cách ly theo lý do', 'Quarantine by reason'))}</h2>"
            f"<table>{_head(tr('Bảng', 'Table'), tr('Lý do', 'Reason'), tr('Dòng', 'Rows'))}{_rows(quarantine)}</table>"
            f"<h2>{escape(tr('Ảnh chụp lúc đóng băng', 'Snapshot at the freeze'))}</h2><table>{_rows(frozen)}</table>"
            f"<p>{escape(tr('Chữ ký', 'Signature'))}: {escape(sig['scheme'])} · key {escape(sig['key_id'])} · "
            f"<code>{escape(sig['value'])}</code></p>")
    return (f"<!DOCTYPE html><html lang='{tr('vi', 'en')}'><head><meta charset='utf-8'><title>{escape(title)}</title>"
            "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid "
            "#ccc;padding:2px 6px;text-align:left}</style></head>"
            f"<body>{body}</body></html>")
