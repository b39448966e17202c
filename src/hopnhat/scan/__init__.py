"""``hopnhat init --scan``: a merger file drafted from a folder of legacy exports.

The flow of the package: :mod:`~hopnhat.scan.files` finds the data files and their kind from their content,
:mod:`~hopnhat.scan.sample` reads each table's first rows as ``hopnhat migrate`` would read them (title blocks and
two header rows placed, delimiter sniffed, every column's encoding detected by the repair engine),
:mod:`~hopnhat.scan.guess` maps a table onto the unified model from its Vietnamese headers and values,
:mod:`~hopnhat.scan.draft` writes the merger file with a ``# kiểm tra:`` comment on every guess it is unsure of, and
:mod:`~hopnhat.scan.compare` measures a draft against a hand-written merger file.

It sits beside the flow (as ``demo`` does): it reads with the ingest readers, detects with the repair engine and
recognises headers with :mod:`hopnhat.link.headers`, and nothing of the pipeline imports it.
"""
