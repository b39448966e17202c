"""The file boundary every stage may import: inputs checked before any work, outputs written atomically.

- :mod:`hopnhat.io.inputs` — an input path is a readable, non-empty regular file of a supported kind, and its content
  is what its name says (an ``.xlsx`` that is CSV text is refused, with what to do);
- :mod:`hopnhat.io.outputs` — an output is never an input (also through ``x/../`` or a symlink), its folder exists and
  is writable, the name fits, the disk has room; it is written to a temporary file in the same folder and renamed at
  the end, so a failure never leaves half a file;
- :mod:`hopnhat.io.writers` — the one writer family (CSV/TSV, Excel, Parquet, JSON) with the formula-safe Excel
  policy of :mod:`hopnhat.io.excel` and JSON that never holds ``Infinity``/``NaN``.

Every refusal is an :class:`~hopnhat.errors.InputError` or :class:`~hopnhat.errors.OutputError` saying what, where,
why and what to do, in the user's language.
"""
