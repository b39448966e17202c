"""serve: the web app — lookup across the unified store and the legacy archives, record pages with lineage, the
review queue, the migration dashboard, in-flight dossiers and the catalog pages; logged in, scoped, audited.

Subpackages, in the order a request meets them:

- ``app``: the application itself — settings, the app database, what every request needs (``context``), request
  plumbing (``deps``), the app factory (``factory.create_app``), the versioned-store reader and its watch
  (``versioned``), running in a background thread (``background``);
- ``security``: sessions, CSRF and login throttling (``sessions``), roles, scopes, masking, accounts and tokens
  (``users``), the hash-chained audit log;
- ``search``: the one-box lookup — what the clerk typed read every plausible way (``readings``, ``names``) and
  searched in the lookup index (``lookup``);
- ``pagedata``: what each page shows, read from the store, scoped and masked (records, review queue, dashboard,
  quarantine, catalog);
- ``views``: the HTML routes, one module per page or area, and the server-side SVG charts;
- ``api``: the JSON API for machines.

The store readers and the lookup-index build live in :mod:`hopnhat.load` (the pipeline uses them too).
"""
