"""Reading the files records reference into the store: paths in a column, BLOB cells, folders with a manifest.

Each reference is read once, streamed through the store (hashed while copied), judged on its content
(:func:`hopnhat.files.kinds.judge`) and recorded in the ledger with its lineage and outcome. A reference the ledger
already holds is skipped without reading, so a run killed half-way picks up where it stopped and a second run changes
nothing. Missing and unreadable files are recorded as quarantined with the reason, never dropped.
"""

from __future__ import annotations

import contextvars
import csv
import io
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hopnhat.errors import InputError
from hopnhat.files.kinds import Verdict, judge
from hopnhat.files.ledger import Ledger, Ref
from hopnhat.files.names import name_text, repair_names
from hopnhat.files.store import FileStore
from hopnhat.i18n import tr

COPY_THREADS = max(2, min(4, os.cpu_count() or 2))  # hashing and I/O release the GIL


@dataclass(frozen=True)
class Item:
    """One file reference: where it comes from, its name as the source gives it, and how to open its bytes."""

    ref: Ref
    name: str
    open: Callable[[], BinaryIO]
    size_hint: int = 0  # bytes already held in memory (a BLOB cell), to bound a batch


def open_on_disk(folder: str, text: str) -> BinaryIO:
    """Open the file a path cell names: as written (UTF-8 on disk), else the legacy bytes of its Windows-1252 view
    (tried only when the first is not there: no stat before the open)."""
    relative = text.replace("\\", "/").lstrip("/")
    try:
        return open(f"{folder}/{relative}", "rb")
    except FileNotFoundError:
        try:
            legacy = os.fsencode(folder) + b"/" + relative.encode("cp1252")
        except UnicodeEncodeError:
            raise FileNotFoundError(relative) from None
        return open(legacy, "rb")


def from_paths(source: str, table: str, column: str, folder: Path,
               cells: Iterable[tuple[str, str]]) -> Iterator[Item]:
    """The files of a path column: (row key, path relative to ``folder``) → items."""
    base = str(folder)
    for row, text in cells:
        name = text.replace("\\", "/").rpartition("/")[2]
        yield Item(Ref(source, table, row, column, text), name,
                   lambda t=text: open_on_disk(base, t))  # type: ignore[misc]


def from_blobs(source: str, table: str, column: str,
               cells: Iterable[tuple[str, str, bytes | None]]) -> Iterator[Item]:
    """The files of a BLOB column: (row key, file name from a name column, bytes) → items."""
    for row, name, data in cells:
        def opener(d: bytes | None = data, r: str = row) -> BinaryIO:
            if d is None:
                raise FileNotFoundError(f"row {r}: NULL")
            return io.BytesIO(d)
        yield Item(Ref(source, table, row, column, f"blob:{table}.{column}[{row}]"), name, opener,
                   len(data) if data is not None else 0)


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


@dataclass(frozen=True)
class Taken:
    """What copying one reference gave: its content's hash, size and verdict, or why it could not be read."""

    sha256: str | None
    size: int
    verdict: Verdict


def copy_one(store: FileStore, item: Item, repaired: str) -> Taken:
    """Read one reference into the store and judge it (runs in the copy pool: no ledger here)."""
    try:
        with item.open() as stream:
            copied = store.put(stream)
    except OSError as exc:
        return Taken(None, 0, Verdict(None, None, _problem(exc)))
    return Taken(copied.sha256, copied.size, judge(repaired, copied.size, copied.head, copied.tail))


def record(ledger: Ledger, item: Item, repaired: str, taken: Taken) -> str:
    """Record one reference's outcome (in order: the first accepted reference of a content is ``stored``)."""
    verdict = taken.verdict
    if verdict.problem:
        outcome = "quarantined"
    else:
        outcome = "duplicate" if taken.sha256 is not None and ledger.accepted(taken.sha256) else "stored"
    ledger.record(item.ref, name=item.name, repaired=repaired, sha256=taken.sha256, size=taken.size,
                  kind=verdict.kind, mime=verdict.mime, outcome=outcome, reason=verdict.problem)
    return outcome


def take(store: FileStore, ledger: Ledger, item: Item, repaired: str) -> str:
    """Read one reference into the store and record it; its outcome."""
    taken = copy_one(store, item, repaired)
    outcome = record(ledger, item, repaired, taken)
    if outcome == "quarantined" and taken.sha256 is not None:
        _set_aside(store, ledger, {taken.sha256})
    return outcome


def _set_aside(store: FileStore, ledger: Ledger, refused: set[str]) -> None:
    """Move refused contents out of the served objects, unless another reference accepted the same bytes."""
    for sha in refused:
        if not ledger.accepted(sha) and store.has(sha):
            store.set_aside(sha)


class _Batches:
    """Cuts the references into batches (by count, and by bytes for BLOBs held in memory)."""

    def __init__(self, count: int, max_bytes: int) -> None:
        self.count, self.max_bytes = count, max_bytes
        self.pending: dict[Ref, Item] = {}
        self.bytes = 0

    def add(self, item: Item) -> bool:
        """Add one reference; whether the batch is full."""
        self.pending[item.ref] = item
        self.bytes += item.size_hint
        return len(self.pending) >= self.count or self.bytes >= self.max_bytes

    def take(self) -> list[Item]:
        items = list(self.pending.values())
        self.pending.clear()
        self.bytes = 0
        return items


def take_all(store: FileStore, ledger: Ledger, items: Iterable[Item], *, batch: int = 2000,
             threads: int = COPY_THREADS, max_bytes: int = 64 << 20) -> Counter[str]:
    """Read every reference not yet in the ledger into the store.

    A batch's files are copied by a pool of threads (hashing and I/O release the GIL) while the previous batch is
    being flushed to disk; the ledger commits a batch only once its flush is done, so it never names a content the
    disk could lose. Outcomes are decided in the references' order, names repaired per batch (one column for the
    repair engine)."""
    done: Counter[str] = Counter()
    cut = _Batches(batch, max_bytes)
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="hopnhat-copy") as pool, \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="hopnhat-flush") as flusher:
        flushing: Future[None] | None = None

        def run(batch_items: list[Item]) -> None:
            nonlocal flushing
            names = repair_names([i.name for i in batch_items])
            context = contextvars.copy_context()  # the caller's language for the reasons the workers write
            taken = list(pool.map(lambda i: context.copy().run(copy_one, store, i, names[i.name]), batch_items))
            if flushing is not None:
                flushing.result()
                ledger.commit()
            refused = set()
            for item, got in zip(batch_items, taken, strict=True):
                outcome = record(ledger, item, names[item.name], got)
                done[outcome] += 1
                if outcome == "quarantined" and got.sha256 is not None:
                    refused.add(got.sha256)
            _set_aside(store, ledger, refused)
            flushing = flusher.submit(store.flush)

        for item in items:
            if item.ref in cut.pending or ledger.known(item.ref):
                done["skipped"] += 1  # a reference listed twice (a manifest's repeated line) is read once
                continue
            if cut.add(item):
                run(cut.take())
        if cut.pending:
            run(cut.take())
        if flushing is not None:
            flushing.result()
        ledger.commit()
    return done
