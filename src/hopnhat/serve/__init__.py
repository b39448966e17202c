"""serve: the web app — lookup across the unified store and the legacy archives, record pages with lineage, the
review queue, the migration dashboard, in-flight dossiers and the catalog pages; logged in, scoped, audited.

Modules: ``settings`` (validated settings), ``storedb`` (read-only DuckDB/PostgreSQL readers), ``index`` (the lookup
index), ``lookup`` (one-box search), ``records``, ``review`` (queue + decisions outbox), ``dashboard``, ``charts``
(SVG), ``catalogpages``; security: ``appdb`` (SQLite app database), ``users`` (argon2, tokens), ``security``
(sessions, CSRF, login throttling), ``audit`` (hash-chained log), ``scope``, ``mask``, ``roles``; web: ``context``,
``deps``, ``pages_*``, ``api``, ``app`` (:func:`create_app`), ``background`` (:func:`serve_in_background`).
"""

from hopnhat.serve.app import create_app
from hopnhat.serve.background import BackgroundServer, serve_in_background, start_app
from hopnhat.serve.index import build_index, ensure_index
from hopnhat.serve.review import apply_pending
from hopnhat.serve.settings import ServeSettings, load_settings

__all__ = ["BackgroundServer", "ServeSettings", "apply_pending", "build_index", "create_app", "ensure_index",
           "load_settings", "serve_in_background", "start_app"]
