"""One error base for the whole project.

Every error can name what went wrong (``message``), where (source or file, table, row, column, key, value), why
(``reason``) and what to do (``hint``), so that a clerk or a data engineer can find the row at the source and fix it.
:meth:`HopnhatError.render` is the one message format the command line shows, in the user's language.
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
    hint: str | None = None
    key: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def where(self) -> str:
        parts = []
        for name in ("source", "table", "row", "column", "key"):
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

    def render(self) -> str:
        """The error for a person, in the current language: what, where, why, what to do (one line each)."""
        from hopnhat.i18n import tr

        lines = [self.message]
        where = self._where_words()
        if where:
            lines.append(f"  {tr('Ở đâu', 'Where')}: {where}")
        if self.reason:
            lines.append(f"  {tr('Vì sao', 'Why')}: {self.reason}")
        if self.hint:
            lines.append(f"  {tr('Cách xử lý', 'What to do')}: {self.hint}")
        return "\n".join(lines)

    def _where_words(self) -> str:
        from hopnhat.i18n import tr

        labels = {"source": tr("nguồn/tệp", "source/file"), "table": tr("bảng", "table"), "row": tr("dòng", "row"),
                  "column": tr("cột", "column"), "key": tr("khóa", "key")}
        parts = [f"{labels[name]} {getattr(self, name)}" for name in labels if getattr(self, name) is not None]
        if self.value is not None:
            parts.append(f"{tr('giá trị', 'value')} {_short(self.value)}")
        return ", ".join(parts)


class ConfigError(HopnhatError):
    """A configuration file or option is wrong (file, key, what was expected)."""


class InputError(HopnhatError):
    """An input file or column cannot be read or is missing."""


class OutputError(HopnhatError):
    """An output file cannot be written where it was asked for (same as an input, folder missing, disk full…)."""


class ReferenceDataError(HopnhatError):
    """The shipped admin-unit reference data is missing or inconsistent."""


class UnitNotFoundError(HopnhatError):
    """An admin-unit code does not exist in the requested version."""
