"""Files of citizens' data the CLI writes from the store (``hopnhat quarantine export``, ``hopnhat review export``),
and its listings of them on the terminal (``hopnhat quarantine list``, ``hopnhat review list``, table or JSON):
identifiers masked unless ``--no-mask`` is given — the web app's rule (:mod:`hopnhat.serve.security.mask`): a column
that is an identifier masked whole, every other text with the identifiers inside it masked — and every file written
recorded in the project's keyed audit chain as ``cli_export`` (the chain the web app and the cut-over write, checked
by ``hopnhat audit verify``): the OS account, the command, the file and its SHA-256, how many rows, masked or not.
A listing printed with ``--no-mask`` is recorded the same way (``output``: ``terminal``, no file); a masked listing
shows nothing the web app would not, and is not recorded.

A review export made from a bare store (``--store``, no merger file) has no chain to write to; it says so."""

from __future__ import annotations

import getpass
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer

from hopnhat.i18n import tr
from hopnhat.project.config import Project
from hopnhat.serve.security.mask import is_identifier, mask, mask_text

MASK = typer.Option(True, "--mask/--no-mask", help=tr(
    "Che số CCCD/CMND, điện thoại trong tệp ra (mặc định). --no-mask ghi đầy đủ; việc xuất luôn được ghi nhật ký.",
    "Mask CCCD/CMND and phone numbers in the file (the default). --no-mask writes them in full; the export is "
    "logged either way."))

MASK_PRINT = typer.Option(True, "--mask/--no-mask", help=tr(
    "Che số CCCD/CMND, điện thoại khi in ra (mặc định). --no-mask in đầy đủ và được ghi nhật ký kiểm toán.",
    "Mask CCCD/CMND and phone numbers in the listing (the default). --no-mask prints them in full and is recorded "
    "in the audit log."))


def masked_tree(value: Any, key: str | None = None) -> Any:
    """Data as a listing may print it (dicts, lists, scalars): the value of an identifier key masked whole, every
    other text with the identifiers inside it masked."""
    if isinstance(value, dict):
        return {k: masked_tree(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [masked_tree(v, key) for v in value]
    if key is not None and is_identifier(key) and value not in (None, ""):
        return mask(value)
    return mask_text(value)


def masked_rows(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """The rows as a file may hold them: identifier columns masked whole, identifiers inside other text masked."""
    whole = [is_identifier(h) for h in header]
    return [[mask(v) if whole[i] and v not in (None, "") else mask_text(v) for i, v in enumerate(row)]
            for row in rows]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def record_export(project: Project, command: str, output: Path, rows: int, masked: bool) -> int:
    """Append the ``cli_export`` entry of a file just written; its sequence number in the chain."""
    from hopnhat.load import audit_chain
    from hopnhat.serve.app.settings import project_audit_key

    key = project_audit_key(project).encode("utf-8")
    detail = {"command": command, "file": str(output.resolve()), "sha256": _sha256(output), "rows": rows,
              "masked": masked}
    return audit_chain.append(project.app_db_path, key, getpass.getuser(), "cli_export", detail)


def record_print(project: Project, command: str, rows: int) -> int:
    """Append the ``cli_export`` entry of a listing printed unmasked on the terminal; its sequence number."""
    from hopnhat.load import audit_chain
    from hopnhat.serve.app.settings import project_audit_key

    key = project_audit_key(project).encode("utf-8")
    detail = {"command": command, "output": "terminal", "rows": rows, "masked": False}
    return audit_chain.append(project.app_db_path, key, getpass.getuser(), "cli_export", detail)


def say_recorded(seq: int | None) -> str:
    if seq is None:
        return tr("Không ghi nhật ký kiểm toán: không có tệp merger.yaml (chỉ --store).",
                  "No audit entry: no merger file (only --store).")
    return tr(f"Đã ghi vào nhật ký kiểm toán (mục #{seq}).", f"Recorded in the audit log (entry #{seq}).")
