"""Catalog errors: every one names the sheet (table), row, column and value it is about."""

from __future__ import annotations

from hopnhat.errors import HopnhatError


class CatalogError(HopnhatError):
    """Base of the catalog's errors."""


class InventoryError(CatalogError):
    """An inventory workbook or YAML file is invalid; ``problems`` lists every cell at fault, not just the first."""

    def __init__(self, message: str, problems: list[HopnhatError] | None = None, **where: object) -> None:
        self.problems = problems or []
        super().__init__(message, **where)  # type: ignore[arg-type]

    def __str__(self) -> str:
        head = super().__str__()
        return head if not self.problems else head + "\n" + "\n".join(f"  - {p}" for p in self.problems)

    def render(self) -> str:
        """The message, where and why, then every faulty cell on its own line (what, where, why)."""
        lines = [super().render()]
        for p in self.problems:
            where = p._where_words()
            lines.append(f"  - {p.message}" + (f" ({where})" if where else "") + (f": {p.reason}" if p.reason else ""))
        return "\n".join(lines)


class CellError(CatalogError):
    """One cell of an inventory is wrong."""


class PlanError(CatalogError):
    """The roadmap cannot be built (unknown system, cyclic dependency, impossible date)."""
