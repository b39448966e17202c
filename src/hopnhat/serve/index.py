"""The lookup index the web app searches; it is built by :mod:`hopnhat.load.lookup_index` (a run builds it right
after loading), re-exported here for the web app's modules."""

from hopnhat.load.lookup_index import (
    DOC_FIELDS,
    INDEX_VERSION,
    SAFE_NAME,
    SQLITE_TABLES,
    EntitySpec,
    build_index,
    default_index_path,
    ensure_index,
    fingerprint,
    fold_name,
    index_file,
    index_fingerprint,
    legacy_mapping,
    quote,
    read_doc,
    store_tables,
)

__all__ = ["DOC_FIELDS", "INDEX_VERSION", "SAFE_NAME", "SQLITE_TABLES", "EntitySpec", "build_index",
           "default_index_path", "ensure_index", "fingerprint", "fold_name", "index_file", "index_fingerprint",
           "legacy_mapping", "quote", "read_doc", "store_tables"]
