"""The shapes every value parser shares: a :class:`Problem`, a :class:`Parsed` cell and the column :class:`Options`.

A parser for one kind is built once per column (:func:`hopnhat.values.column.parser_for`) and then called on each
*distinct* non-empty cell text. It returns a :class:`Parsed`: the value, the extra store columns of the kind (keyed by
column suffix, as in :func:`hopnhat.model.schema.physical_columns`) and the problems found.

Severity is a promise to the map stage: ``error`` means the value is unusable and :attr:`Parsed.value` is ``None``;
``warning`` means the value is kept but a person should be able to see why it is suspicious. The one exception, on
purpose, is a *placeholder* (``01/01/1900``, ``00/00/0000``): the source said "unknown" in its own way, so the value is
``None`` like an empty cell, the quality column says ``placeholder`` and a warning keeps the trace.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from hopnhat.i18n import tr

Severity = Literal["error", "warning"]

# Extra store columns per kind, by suffix (see hopnhat.model.schema._EXTRA; admin_* kinds are handled elsewhere).
EXTRA_SUFFIXES: dict[str, tuple[str, ...]] = {
    "date": ("_quality",),
    "id_number": ("_kind",),
    "tax_code": ("_parent",),
    "status": ("_raw",),
}
KINDS = ("text", "date", "datetime", "integer", "decimal", "id_number", "tax_code", "phone", "sex", "status")
_SHOWN = 80


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a cell is unusable (``error``) or suspicious (``warning``); the message names the offending value."""

    code: str
    message: str
    severity: Severity


@dataclass(frozen=True, slots=True)
class Parsed:
    """One cell parsed: the value (``None`` when empty or unusable), extra columns by suffix, problems."""

    value: Any = None
    extras: dict[str, Any] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when no problem is an error."""
        return all(p.severity != "error" for p in self.problems)


@dataclass(frozen=True)
class Options:
    """The per-column options of the merger file, made hashable (they key the parse cache).

    ``today`` bounds "future" dates and CCCD birth years; it defaults to the day of the run.
    """

    formats: tuple[str, ...] | None = None
    values: tuple[tuple[str, Any], ...] | None = None
    decimal: str = "."
    today: dt.date = field(default_factory=dt.date.today)

    @property
    def mapping(self) -> dict[str, Any] | None:
        return dict(self.values) if self.values is not None else None


def shown(value: object) -> str:
    """The offending value as quoted in messages (shortened when long)."""
    text = str(value)
    return f"'{text}'" if len(text) <= _SHOWN else f"'{text[: _SHOWN - 1]}…'"


def error(code: str, vi: str, en: str) -> Problem:
    return Problem(code, tr(vi, en), "error")


def warning(code: str, vi: str, en: str) -> Problem:
    return Problem(code, tr(vi, en), "warning")


def failed(problem: Problem, **extras: Any) -> Parsed:
    """A cell whose value is unusable: value ``None``, the error, extras as given (e.g. ``_raw``)."""
    return Parsed(None, extras, (problem,))
