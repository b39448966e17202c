"""Reading the files records reference into the store: paths in a column, BLOB cells, folders with a manifest.

Each reference is read once, streamed through the store (hashed while copied), judged on its content
(:func:`hopnhat.files.kinds.judge`) and recorded in the ledger with its lineage and outcome. A reference the ledger
already holds is skipped without reading, so a run killed half-way picks up where it stopped and a second run changes
nothing. Missing and unreadable files are recorded as quarantined with the reason, never dropped.
"""

from __future__ import annotations

import contextlib
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
from hopnhat.files.copying import Taken, copy_one, open_on_disk
from hopnhat.files.ledger import Ledger, Ref
from hopnhat.files.names import name_text, repair_names
from hopnhat.files.store import FileStore
from hopnhat.i18n import tr

# hashing and I/O release the GIL; more threads than cores keep the disk busy while one waits on it
COPY_THREADS = max(4, min(8, 2 * (os.cpu_count() or 2)))
FLUSH_BYTES = 512 << 20  # one flush (syncfs) for at least this many bytes copied: each one costs a journal commit


@dataclass(frozen=True)
class Item:
    """One file reference: where it comes from, its name as the source gives it, and how to open its bytes."""

    ref: Ref
    name: str
    open: Callable[[], BinaryIO]
    size_hint: int = 0  # bytes already held in memory (a BLOB cell), to bound a batch


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


def record(ledger: Ledger, ref: Ref, name: str, repaired: str, taken: Taken) -> str:
    """Record one reference's outcome (in order: the first accepted reference of a content is ``stored``)."""
    verdict = taken.verdict
    if verdict.problem:
        outcome = "quarantined"
    else:
        outcome = "duplicate" if taken.sha256 is not None and ledger.accepted(taken.sha256) else "stored"
    ledger.record(ref, name=name, repaired=repaired, sha256=taken.sha256, size=taken.size,
                  kind=verdict.kind, mime=verdict.mime, outcome=outcome, reason=verdict.problem)
    return outcome


def take(store: FileStore, ledger: Ledger, item: Item, repaired: str) -> str:
    """Read one reference into the store and record it; its outcome."""
    taken = copy_one(store, item.open, repaired)
    outcome = record(ledger, item.ref, item.name, repaired, taken)
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


class _Copiers:
    """The copy threads: a batch copied in interleaved slices, one task per slice (a future per file cost more CPU
    than judging the file), the results back in the batch's order. (Worker processes were tried for large batches of
    files on disk: slower here — each costs an interpreter's start-up — so threads it is.)"""

    def __init__(self, store: FileStore, threads: int) -> None:
        self.store, self.threads = store, threads
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="hopnhat-copy")

    def close(self) -> None:
        self.pool.shutdown()

    def copy(self, items: list[Item], names: dict[str, str]) -> list[Taken]:
        context = contextvars.copy_context()  # the caller's language for the reasons the workers write

        def copy_slice(part: list[Item]) -> list[Taken]:
            return [copy_one(self.store, item.open, names[item.name]) for item in part]

        slices = [items[i::self.threads] for i in range(self.threads)]
        done = list(self.pool.map(lambda part: context.copy().run(copy_slice, part), slices))
        return [done[j % self.threads][j // self.threads] for j in range(len(items))]


def take_all(store: FileStore, ledger: Ledger, items: Iterable[Item], *, batch: int = 2000,
             threads: int | None = None, max_bytes: int = 64 << 20,
             flush_bytes: int | None = None) -> Counter[str]:
    """Read every reference not yet in the ledger into the store.

    A batch's files are copied by a pool of threads (hashing and I/O release the GIL) while the batches before it
    are being flushed to disk (one flush once ``flush_bytes`` were copied since the last); the ledger commits what a
    flush covered only once that flush is done, so it never names a content the disk could lose. Outcomes are
    decided in the references' order, names repaired per batch (one column for the repair engine)."""
    done: Counter[str] = Counter()
    cut = _Batches(batch, max_bytes)
    every = FLUSH_BYTES if flush_bytes is None else flush_bytes
    copiers = _Copiers(store, threads or COPY_THREADS)
    with contextlib.closing(copiers), \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="hopnhat-flush") as flusher:
        flushing: Future[None] | None = None
        copied: list[tuple[list[tuple[Ref, str]], list[Taken], dict[str, str]]] = []  # copied, not yet recorded
        waiting: set[Ref] = set()  # their references (a reference listed again is not read again)
        unflushed = 0

        def run(batch_items: list[Item], last: bool = False) -> None:
            nonlocal flushing, unflushed
            names = repair_names([i.name for i in batch_items])
            taken = copiers.copy(batch_items, names)
            copied.append(([(i.ref, i.name) for i in batch_items], taken, names))  # no BLOB bytes kept
            waiting.update(i.ref for i in batch_items)
            unflushed += sum(t.size for t in taken)
            if unflushed < every and not last:
                return
            if flushing is not None:
                flushing.result()
                ledger.commit()  # the batches recorded before that flush started, and no other
            refused = set()
            for batch_copied in copied:
                refused |= record_batch(*batch_copied)
            _set_aside(store, ledger, refused)  # after all of them: a later batch may accept the same bytes
            copied.clear()
            waiting.clear()
            flushing, unflushed = flusher.submit(store.flush), 0

        def record_batch(refs: list[tuple[Ref, str]], taken: list[Taken], names: dict[str, str]) -> set[str]:
            refused = set()
            for (ref, name), got in zip(refs, taken, strict=True):
                outcome = record(ledger, ref, name, names[name], got)
                done[outcome] += 1
                if outcome == "quarantined" and got.sha256 is not None:
                    refused.add(got.sha256)
            return refused

        for item in items:
            if item.ref in cut.pending or item.ref in waiting or ledger.known(item.ref):
                done["skipped"] += 1  # a reference listed twice (a manifest's repeated line) is read once
                continue
            if cut.add(item):
                run(cut.take())
        run(cut.take(), last=True)
        if flushing is not None:
            flushing.result()
        ledger.commit()
    return done
