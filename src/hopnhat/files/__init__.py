"""Files the records reference (scans, signed PDFs, attachments): read once, hashed, stored once, verified.

The stage sits beside ``load`` in the data flow (it is the load of files): :mod:`~hopnhat.files.intake` reads the
references of a source (path columns, BLOB columns, folders with a manifest), :mod:`~hopnhat.files.kinds` judges each
file on its content, :mod:`~hopnhat.files.names` repairs legacy names through the repair engine,
:mod:`~hopnhat.files.store` is the content-addressed store (a folder tree; the :class:`FileStore` protocol is what an
S3-compatible backend would implement), :mod:`~hopnhat.files.ledger` keeps lineage, quarantine and books, and
:mod:`~hopnhat.files.verify` re-hashes the store.
"""
