"""The unified store and what the stages after loading share.

One seam per concern: :mod:`~hopnhat.load.store` opens the store for the pipeline (the DuckDB writer, ``connect``)
and holds its DDL; :mod:`~hopnhat.load.storedb` is the one read interface (``StoreReader``: rows, arrow, iterate,
tables, close) with thin DuckDB and PostgreSQL backends (and the SQLite reader of the lookup index), opened only by
``open_store``; :mod:`~hopnhat.load.checksum` (store checksums over any reader), :mod:`~hopnhat.load.publish` (DuckDB →
PostgreSQL), :mod:`~hopnhat.load.lookup_index` (the web app's lookup index, built from a reader) and
:mod:`~hopnhat.load.review_outbox` (web-app review decisions applied by the next run); the load stage itself:
:mod:`~hopnhat.load.table_load` (one source table into the store, with its counts, :mod:`~hopnhat.load.counts`, and
its row tokens, :mod:`~hopnhat.load.tokens`).
"""
