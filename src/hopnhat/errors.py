"""One error base for the whole project.

Every error can name where the problem is (source, table, row, column, value) and why, so that a data engineer can
find the row at the source and fix it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_MAX_VALUE = 120


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 3] + "..."


@dataclass
class HopnhatError(Exception):
    """Base of every error hopnhat raises on purpose."""

    message: str
    source: str | None = None
    table: str | None = None
    row: Any = None
    column: str | None = None
    value: Any = field(default=None)
    reason: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def where(self) -> str:
        parts = []
        for name in ("source", "table", "row", "column"):
            val = getattr(self, name)
            if val is not None:
                parts.append(f"{name}={val}")
        if self.value is not None:
            parts.append(f"value={_short(self.value)}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        text = self.message if not where else f"{self.message} [{where}]"
        return text if not self.reason else f"{text}: {self.reason}"


class ConfigError(HopnhatError):
    """A configuration file or option is wrong (file, key, what was expected)."""


class InputError(HopnhatError):
    """An input file or column cannot be read or is missing."""


class ReferenceDataError(HopnhatError):
    """The shipped admin-unit reference data is missing or inconsistent."""


class UnitNotFoundError(HopnhatError):
    """An admin-unit code does not exist in the requested version."""
