"""Reading the files records reference into the store: paths in a column, BLOB cells, folders with a manifest.

Each reference is read once, streamed through the store (hashed while copied), judged on its content
(:func:`hopnhat.files.kinds.judge`) and recorded in the ledger with its lineage and outcome. A reference the ledger
already holds is skipped without reading, so a run killed half-way picks up where it stopped and a second run changes
nothing. Missing and unreadable files are recorded as quarantined with the reason, never dropped.
"""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from hopnhat.errors import InputError
from hopnhat.files.kinds import judge
from hopnhat.files.ledger import Ledger, Ref
from hopnhat.files.names import name_text, repair_names
from hopnhat.files.store import FileStore
from hopnhat.i18n import tr


@dataclass(frozen=True)
class Item:
    """One file reference: where it comes from, its name as the source gives it, and how to open its bytes."""

    ref: Ref
    name: str
    open: Callable[[], BinaryIO]


def _on_disk(folder: Path, text: str) -> Path:
    """The file a path cell names: as written (UTF-8 on disk), else the legacy bytes of its Windows-1252 view."""
    relative = text.replace("\\", "/").lstrip("/")
    plain = folder / relative
    if plain.exists():
        return plain
    try:
        legacy = os.fsencode(folder) + b"/" + relative.encode("cp1252")
    except UnicodeEncodeError:
        return plain
    return Path(os.fsdecode(legacy))


def from_paths(source: str, table: str, column: str, folder: Path,
               cells: Iterable[tuple[str, str]]) -> Iterator[Item]:
    """The files of a path column: (row key, path relative to ``folder``) → items."""
    for row, text in cells:
        path = _on_disk(folder, text)
        yield Item(Ref(source, table, row, column, text), PurePosixPath(text.replace("\\", "/")).name,
                   lambda p=path: p.open("rb"))  # type: ignore[misc]


def from_blobs(source: str, table: str, column: str,
               cells: Iterable[tuple[str, str, bytes | None]]) -> Iterator[Item]:
    """The files of a BLOB column: (row key, file name from a name column, bytes) → items."""
    for row, name, data in cells:
        def opener(d: bytes | None = data, r: str = row) -> BinaryIO:
            if d is None:
                raise FileNotFoundError(f"row {r}: NULL")
            return io.BytesIO(d)
        yield Item(Ref(source, table, row, column, f"blob:{table}.{column}[{row}]"), name, opener)


def from_manifest(source: str, folder: Path, manifest: Path) -> Iterator[Item]:
    """The files of a folder described by a CSV manifest with the columns ``table,row,column,path``."""
    with manifest.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = {"table", "row", "column", "path"} - set(reader.fieldnames or ())
        if missing:
            raise InputError(tr("Danh mục tệp thiếu cột", "The file manifest lacks columns"), source=source,
                             value=str(manifest), reason=", ".join(sorted(missing)),
                             hint="table,row,column,path")
        for line in reader:
            yield from from_paths(source, line["table"], line["column"], folder, [(line["row"], line["path"])])


def disk_name(path: Path) -> str:
    """The text of a name on disk (legacy bytes in their Windows-1252 view, for the repair engine)."""
    return name_text(os.fsencode(path.name))


def _problem(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return tr("không có tệp", "file missing")
    return tr(f"không đọc được tệp ({exc.strerror or exc})", f"file unreadable ({exc.strerror or exc})")


def take(store: FileStore, ledger: Ledger, item: Item, repaired: str) -> str:
    """Read one reference into the store and record it; its outcome."""
    try:
        with item.open() as stream:
            copied = store.put(stream)
    except OSError as exc:
        ledger.record(item.ref, name=item.name, repaired=repaired, sha256=None, size=0, kind=None, mime=None,
                      outcome="quarantined", reason=_problem(exc))
        return "quarantined"
    verdict = judge(repaired, copied.size, copied.head, copied.tail)
    accepted = ledger.accepted(copied.sha256)
    outcome = "quarantined" if verdict.problem else "duplicate" if accepted else "stored"
    if verdict.problem and not accepted and store.has(copied.sha256):
        store.set_aside(copied.sha256)  # a refused content is not served (unless another reference accepted it)
    ledger.record(item.ref, name=item.name, repaired=repaired, sha256=copied.sha256, size=copied.size,
                  kind=verdict.kind, mime=verdict.mime, outcome=outcome, reason=verdict.problem)
    return outcome


def take_all(store: FileStore, ledger: Ledger, items: Iterable[Item], *, batch: int = 2000) -> Counter[str]:
    """Read every reference not yet in the ledger, names repaired per batch (one column for the engine)."""
    done: Counter[str] = Counter()
    pending: dict[Ref, Item] = {}  # a reference listed twice (a manifest's repeated line) is read once

    def flush() -> None:
        names = repair_names([i.name for i in pending.values()])
        for i in pending.values():
            done[take(store, ledger, i, names[i.name])] += 1
        store.flush()  # the batch's files on disk before the ledger says so
        ledger.commit()
        pending.clear()

    for item in items:
        if item.ref in pending or ledger.known(item.ref):
            done["skipped"] += 1
            continue
        pending[item.ref] = item
        if len(pending) >= batch:
            flush()
    flush()
    return done
