"""The cut-over's entry in the project's keyed audit chain (the chain ``hopnhat audit verify`` checks): who signed,
the source, the freeze time, the report's SHA-256 and signature — action ``cutover``, or ``cutover_rehearsal`` for a
rehearsal (written to the real project's chain, the copy's chain being thrown away).

The entry is keyed with the report's signing key, which is the project's audit key. A resumed cut-over that had
appended before it was killed finds its entry (same report checksum) and appends no second one. A rehearsal signed
with a throw-away key (the project has no audit key yet) or of a project whose web app never ran (no app database)
writes no entry: it must create nothing in the real project; :func:`record_rehearsal` then returns ``None``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from hopnhat.load import audit_chain
from hopnhat.project.config import Project
from hopnhat.run.cutover.report import Signer

THROWAWAY_KEY_PREFIX = "rehearsal-"  # the key id of a rehearsal's throw-away key (hopnhat.cli.cutover)


def report_sha256(report_json: Path) -> str:
    """The checksum of the signed report as written (``sha256sum report.json`` gives the same)."""
    return hashlib.sha256(report_json.read_bytes()).hexdigest()


def detail(document: dict[str, Any], checksum: str) -> dict[str, Any]:
    report = document["report"]
    return {"source": report["source"], "system_id": report["system_id"], "signed_by": report["signed_by"],
            "frozen_at": report["frozen_at"], "cut_over_at": report["cut_over_at"], "run_id": report["run_id"],
            "rehearsal": bool(report["rehearsal"]), "report_sha256": checksum,
            "signature": document["signature"]["value"], "key_id": document["signature"]["key_id"]}


def _append(app_db: Path, signer: Signer, document: dict[str, Any], checksum: str, action: str) -> int:
    return audit_chain.append(app_db, signer.key, document["report"]["signed_by"], action,
                              detail(document, checksum), once=("report_sha256", checksum))


def record_cutover(project: Project, signer: Signer, document: dict[str, Any], report_json: Path) -> int:
    """Append the cut-over's entry (once); its sequence number in the chain."""
    return _append(project.app_db_path, signer, document, report_sha256(report_json), "cutover")


def record_rehearsal(project: Project, signer: Signer, document: dict[str, Any], report_json: Path) -> int | None:
    """Append the rehearsal's entry to ``project``'s chain (the real project, not the copy); ``None`` when it may
    not (see the module docstring)."""
    if signer.key_id.startswith(THROWAWAY_KEY_PREFIX) or not project.app_db_path.is_file():
        return None
    return _append(project.app_db_path, signer, document, report_sha256(report_json), "cutover_rehearsal")
