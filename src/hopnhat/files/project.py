"""The files of a merger file's sources: each source's manifest (``files.manifests``) read into the store."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from hopnhat.errors import InputError
from hopnhat.files.intake import from_manifest, take_all
from hopnhat.files.ledger import Books, Ledger
from hopnhat.files.store import FolderStore
from hopnhat.i18n import tr
from hopnhat.project.config import Project


@dataclass
class FilesOutcome:
    """What one pass did per source (stored, duplicate, quarantined, skipped) and the books after it."""

    done: dict[str, Counter[str]] = field(default_factory=dict)
    books: list[Books] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return all(b.balanced for b in self.books)


def open_files(project: Project) -> tuple[FolderStore, Ledger]:
    """The project's file store and ledger (``files.path``, beside the unified store by default)."""
    root = project.resolve(project.config.files.path)
    return FolderStore(root), Ledger(root / "files.sqlite")


def take_manifests(project: Project) -> FilesOutcome:
    """Read every source's manifest into the store (resumable: references already in the ledger are skipped)."""
    store, ledger = open_files(project)
    outcome = FilesOutcome()
    try:
        store.clear_partial()
        for source, manifest in project.config.files.manifests.items():
            folder = project.resolve(project.config.files.folders.get(source, "."))
            path = folder / manifest
            if not path.is_file():
                raise InputError(tr("Không thấy danh mục tệp", "File manifest not found"), source=source,
                                 value=str(path), hint=tr("sửa files.manifests trong tệp hợp nhất",
                                                          "fix files.manifests in the merger file"))
            outcome.done[source] = take_all(store, ledger, from_manifest(source, folder, path))
        outcome.books = ledger.books()
    finally:
        ledger.close()
    return outcome
