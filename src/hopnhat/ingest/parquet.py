"""Parquet files, streamed batch by batch with ``pyarrow.parquet.ParquetFile.iter_batches``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq

from hopnhat.ingest.base import Record, unique_names


class ParquetReader:
    """Header (the schema's names) and records (``_row`` = 1-based ordinal)."""

    def __init__(self, path: Path, batch_rows: int) -> None:
        self.file = pq.ParquetFile(path)
        self.source_names = list(self.file.schema_arrow.names)
        self.header = unique_names(self.source_names)
        self.batch_rows = batch_rows

    def records(self) -> Iterator[Record]:
        row = 0
        try:
            for batch in self.file.iter_batches(batch_size=self.batch_rows):
                columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
                for values in zip(*columns, strict=True):
                    row += 1
                    yield Record(row, dict(zip(self.header, values, strict=True)))
        finally:
            self.file.close()
