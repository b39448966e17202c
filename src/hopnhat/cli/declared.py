"""A declared count's difference acknowledged in the merger file (``accept_short:``), recorded in the keyed audit
chain by ``hopnhat migrate``: who ran it, the table, the counts, the reason — once per table, counts and reason."""

from __future__ import annotations

import getpass
import hashlib

from hopnhat.project.config import Project
from hopnhat.reconcile.declared import DeclaredCheck


def record_acknowledgement(project: Project, check: DeclaredCheck, run_id: str) -> int:
    """Append the ``declared_total_accepted`` entry of a short (or long) export the merger file acknowledges; its
    sequence number in the chain (the earlier entry's when the same acknowledgement was recorded before)."""
    from hopnhat.load import audit_chain
    from hopnhat.serve.app.settings import project_audit_key

    key = project_audit_key(project).encode("utf-8")
    reason = check.accepted or ""
    mark = f"{check.source}/{check.table}:{check.declared}:{check.read}:" + hashlib.sha256(reason.encode()).hexdigest()
    detail = {"source": check.source, "table": check.table, "found_at": check.found_at, "declared": check.declared,
              "read": check.read, "status": check.status, "reason": reason, "run_id": run_id,
              "merger_file": str(project.path), "acknowledgement": mark}
    return audit_chain.append(project.app_db_path, key, getpass.getuser(), "declared_total_accepted", detail,
                              once=("acknowledgement", mark))
