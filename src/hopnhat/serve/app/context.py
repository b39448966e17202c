"""Everything a request needs, built once at start: settings, the read-only store, the lookup index, the app
database, the page-data services. The lookup index is refreshed (rebuilt into a new file, then swapped) when the
store's fingerprint changes, checked every ``index_check_s`` seconds when that setting is on."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from hopnhat.load.lookup_index import (
    build_index,
    default_index_path,
    ensure_index,
    fingerprint,
    index_file,
    index_fingerprint,
)
from hopnhat.load.storedb import SQLiteReader, StoreReader, open_store
from hopnhat.project.config import Project
from hopnhat.serve.app.appdb import AppDB
from hopnhat.serve.app.settings import ServeSettings, default_catalog
from hopnhat.serve.app.versioned import VersionedStore, is_duckdb_path
from hopnhat.serve.pagedata.catalog import CatalogPages
from hopnhat.serve.pagedata.dashboard import Dashboard
from hopnhat.serve.pagedata.quarantine import Quarantine
from hopnhat.serve.pagedata.records import Catalogue, Records
from hopnhat.serve.pagedata.review import ReviewQueue
from hopnhat.serve.search.lookup import Lookup
from hopnhat.serve.security.scope import Scope
from hopnhat.serve.security.sessions import LoginThrottle, ProxyPolicy, SessionStore, Signer
from hopnhat.serve.security.users import User

log = logging.getLogger("hopnhat.serve")


@dataclass
class AppContext:
    project: Project
    settings: ServeSettings
    reader: StoreReader
    catalogue: Catalogue
    index_base: Path
    lookup: Lookup
    records: Records
    review: ReviewQueue
    dashboard: Dashboard
    catalog: CatalogPages
    db: AppDB
    signer: Signer
    throttle: LoginThrottle
    sessions: SessionStore
    proxies: ProxyPolicy
    quarantine: Quarantine
    fingerprint: str = ""
    _stop: threading.Event = field(default_factory=threading.Event)

    def scope(self, user: User) -> Scope:
        return Scope(user.scope, self.project.config.merged_unit.province_code)

    def refresh_index(self) -> bool:
        """Rebuild and swap the lookup index when the store changed; True when it did."""
        fp = fingerprint(self.reader)
        if fp == self.fingerprint:
            return False
        path = index_file(self.index_base, fp)
        if index_fingerprint(path) != fp:
            build_index(self.reader, self.project, path)
        old = self.lookup.index
        self.lookup.index = SQLiteReader(path, self.settings.statement_timeout_ms)
        old_fp, self.fingerprint = self.fingerprint, fp
        threading.Timer(30, _retire, [old, index_file(self.index_base, old_fp)]).start()
        return True

    @property
    def version(self) -> str:
        """The store version served now (``v000007``), empty for a PostgreSQL store."""
        return self.reader.version if isinstance(self.reader, VersionedStore) else ""

    def refresh_version(self) -> bool:
        """When a run published a new store version (or one was rolled back), open it and its lookup index (built
        here when the run did not), then swap both; requests running finish on the old version. True when it did."""
        store = self.reader
        path = store.published() if isinstance(store, VersionedStore) else None
        if not isinstance(store, VersionedStore) or path is None:
            return False
        reader = store.open_version(path)
        try:
            fp = fingerprint(reader)
            index = index_file(self.index_base, fp)
            if index_fingerprint(index) != fp:
                build_index(reader, self.project, index)
            lookup_index = SQLiteReader(index, self.settings.statement_timeout_ms)
            tables = Catalogue(reader)
        except Exception:
            reader.close()
            raise
        old = self.lookup.index
        self.catalogue.main, self.catalogue.legacy = tables.main, tables.legacy
        name = store.switch(reader, path)
        self.lookup.index, self.fingerprint = lookup_index, fp
        retire = threading.Timer(30, old.close)  # the old version's index file stays: a rollback may need it
        retire.daemon = True
        retire.start()
        log.info("serving store version %s", name)
        return True

    def start_version_watch(self) -> None:
        if self.settings.version_check_s <= 0 or not isinstance(self.reader, VersionedStore):
            return

        def loop() -> None:
            while not self._stop.wait(self.settings.version_check_s):
                try:
                    self.refresh_version()
                except Exception:
                    log.exception("switching to the published store version failed; still serving %s", self.version)

        threading.Thread(target=loop, name="hopnhat-version-watch", daemon=True).start()

    def start_watch(self) -> None:
        self.start_version_watch()
        if self.settings.index_check_s <= 0:
            return

        def loop() -> None:
            while not self._stop.wait(self.settings.index_check_s):
                try:
                    self.refresh_index()
                except Exception:
                    log.exception("lookup index refresh failed")

        threading.Thread(target=loop, name="hopnhat-index-watch", daemon=True).start()

    def close(self) -> None:
        self._stop.set()
        self.db.close()
        self.lookup.index.close()
        self.reader.close()


def _retire(reader: SQLiteReader, path: Path) -> None:
    reader.close()
    path.unlink(missing_ok=True)


def store_url(project: Project, override: str | None) -> str:
    return override or project.config.store.url or str(project.store_path)


def _open_reader(url: str, settings: ServeSettings) -> StoreReader:
    """A DuckDB store is read through :class:`VersionedStore` (it follows the published version); PostgreSQL as is
    (a run's publish replaces its tables in one transaction)."""
    if not is_duckdb_path(url):
        return open_store(url, settings.statement_timeout_ms, settings.pool_size)
    return VersionedStore(Path(url.removeprefix("duckdb://")),
                          lambda path: open_store(path, settings.statement_timeout_ms, settings.pool_size))


def build_context(project: Project, settings: ServeSettings, url: str | None = None) -> AppContext:
    """Open the store read-only, make sure the lookup index matches it, open the app database."""
    reader = _open_reader(store_url(project, url), settings)
    base = settings.index_path or default_index_path(project, reader.location)
    path, fp = ensure_index(reader, project, base, lambda step: log.info("lookup index: %s", step))
    catalogue = Catalogue(reader)
    lookup = Lookup(SQLiteReader(path, settings.statement_timeout_ms),
                    settings.lookup_candidates,
                    settings.fuzzy_min_score, settings.lookup_results)
    db = AppDB(project.app_db_path, settings.audit_key)
    db.checkpoint_in_background()
    ctx = AppContext(
        project, settings, reader, catalogue, base, lookup,
        Records(reader, catalogue, settings.row_limit, project.config.linkage),
        ReviewQueue(reader, catalogue, db, settings.row_limit),
        Dashboard(reader, catalogue, settings.row_limit, settings.export_row_limit),
        CatalogPages(settings.catalog_db or default_catalog(project), project, reader), db, Signer(settings),
        LoginThrottle(db, settings), SessionStore(db, settings), ProxyPolicy(settings.trusted_proxies),
        Quarantine(reader, catalogue, settings.row_limit, settings.export_row_limit), fp)
    ctx.start_watch()
    return ctx
