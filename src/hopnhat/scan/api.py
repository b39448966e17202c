"""``scan``: a folder of legacy exports → a draft merger file and, per file, what was made of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hopnhat.errors import HopnhatError
from hopnhat.i18n import tr
from hopnhat.scan.files import Found, data_files
from hopnhat.scan.guess import Guess, guess_table
from hopnhat.scan.own import own_outputs
from hopnhat.scan.render import render
from hopnhat.scan.sample import Sampled, sample_file
from hopnhat.scan.sources import (
    SourceDraft,
    attach_files,
    attach_lookups,
    evidence_of,
    group,
    merged_unit,
    old_provinces,
    province_of,
    relative,
)

SAMPLE_ROWS = 2000  # rows read from each table


@dataclass
class FileScan:
    """One file: its kind and tables, or why it was skipped."""

    found: Found
    tables: list[Guess] = field(default_factory=list)
    reason: str | None = None

    @property
    def skipped(self) -> bool:
        return self.reason is not None or self.found.kind is None


@dataclass
class Draft:
    root: Path
    output: Path
    text: str
    files: list[FileScan]
    sources: list[SourceDraft]
    evidence: dict[str, str]
    lookups: dict[Path, str] = field(default_factory=dict)  # a file read as a source's lookup → the source


def _why(exc: Exception) -> str:
    if isinstance(exc, HopnhatError):
        return "; ".join(str(p) for p in (exc.message, exc.reason) if p)
    return tr(f"không đọc được ({type(exc).__name__}: {exc})", f"cannot be read ({type(exc).__name__}: {exc})")[:300]


def scan_file(found: Found, limit: int) -> FileScan:
    """A file's tables sampled and guessed; a file no reader can read is skipped with the reason, never raised."""
    if found.kind is None:
        return FileScan(found, reason=found.reason)
    try:
        return FileScan(found, _guesses(sample_file(found.path, found.kind, limit)))
    except Exception as exc:  # noqa: BLE001 - every file's failure is reported and the scan goes on
        return FileScan(found, reason=_why(exc))


def _guesses(sampled: list[Sampled]) -> list[Guess]:
    """Each table guessed; an exploded list's table reads its parent's key."""
    keys: dict[str, str | None] = {}
    guesses = []
    for table in sampled:
        guess = guess_table(table, keys.get(table.parent or ""))
        keys[table.name] = guess.source_key
        guesses.append(guess)
    return guesses


def _evidence(guesses: list[Guess], base: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for guess in [g for g in guesses if not g.maps_to]:
        key = evidence_of(guess)
        if key is not None and key not in found:
            found[key] = relative(guess.sampled.file, base)
            guess.unmapped = []
            guess.evidence = key
    return found


def scan(root: Path, output: Path, limit: int = SAMPLE_ROWS) -> Draft:
    """Every file under ``root`` read and guessed; the merger file drafted for ``output`` (not written here)."""
    root, base = root.resolve(), output.resolve().parent
    own = own_outputs(root, output)
    files = [scan_file(found, limit) for found in data_files(root, frozenset({output.resolve()}), own)]
    guesses = [g for f in files for g in f.tables]
    evidence = _evidence(guesses, base)
    sources = group(root, [g for g in guesses if not g.evidence])
    names, _, _ = old_provinces()
    for source in sources:
        source.province = province_of(source.folder, root, names)
        attach_lookups(source, sources, base)
    written = [s for s in sources if s.tables]
    files_draft = attach_files(written, [f.found.path.resolve() for f in files if f.found.document], base)
    unmapped = [g for s in sources if not s.tables for g in s.unmapped_tables]
    unit = merged_unit({s.province for s in written if s.province})
    count = sum(not f.skipped for f in files)
    text = render(root, base, count, unit, evidence, written, unmapped, files_draft)
    lookups = {Path(base / spec["path"]).resolve(): s.name for s in written for spec in s.lookups.values()}
    return Draft(root, output, text, files, written, evidence, lookups)
