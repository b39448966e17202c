"""Copying one file reference into the store and judging it: the work of the copy threads of
:mod:`hopnhat.files.intake` (no ledger here). A file on disk is opened unbuffered (one read fills the copy buffer)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from hopnhat.files.kinds import Verdict, judge
from hopnhat.files.store import FileStore
from hopnhat.i18n import tr


@dataclass(frozen=True)
class Taken:
    """What copying one reference gave: its content's hash, size and verdict, or why it could not be read."""

    sha256: str | None
    size: int
    verdict: Verdict


def open_on_disk(folder: str, text: str) -> BinaryIO:
    """Open the file a path cell names: as written (UTF-8 on disk), else the legacy bytes of its Windows-1252 view
    (tried only when the first is not there: no stat before the open)."""
    relative = text.replace("\\", "/").lstrip("/")
    try:
        return open(f"{folder}/{relative}", "rb", buffering=0)
    except FileNotFoundError:
        try:
            legacy = os.fsencode(folder) + b"/" + relative.encode("cp1252")
        except UnicodeEncodeError:
            raise FileNotFoundError(relative) from None
        return open(legacy, "rb", buffering=0)


def _problem(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return tr("không có tệp", "file missing")
    return tr(f"không đọc được tệp ({exc.strerror or exc})", f"file unreadable ({exc.strerror or exc})")


def copy_one(store: FileStore, opener: Callable[[], BinaryIO], repaired: str) -> Taken:
    """Read one reference into the store and judge it (no ledger here)."""
    try:
        with opener() as stream:
            copied = store.put(stream)
    except OSError as exc:
        return Taken(None, 0, Verdict(None, None, _problem(exc)))
    return Taken(copied.sha256, copied.size, judge(repaired, copied.size, copied.head, copied.tail))
