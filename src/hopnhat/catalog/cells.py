"""Parse and format one cell value by column type (shared by the Excel and YAML importers and the writer)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from hopnhat.catalog import kinds
from hopnhat.catalog.columns import Column
from hopnhat.text.normalize import name_key

_EXCEL_EPOCH = date(1899, 12, 30)
_TRUE = {"co", "yes", "true", "x", "1", "dapheduyet"}
_FALSE = {"khong", "no", "false", "0", "chua", ""}
_VOCAB_TYPES = ("kind", "domain", "hosting", "phase")


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)):
        return _EXCEL_EPOCH + timedelta(days=int(value))
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError("ngày phải có dạng dd/mm/yyyy (date must be dd/mm/yyyy)")


def parse_number(value: Any, integer: bool) -> int | float:
    if isinstance(value, bool):
        raise ValueError("expected a number")
    if isinstance(value, (int, float)):
        number = value
    else:
        text = str(value).strip().replace(" ", "").replace("\u00a0", "")
        text = text.replace(".", "").replace(",", ".") if integer else text.replace(",", ".")
        number = float(text)
    if integer:
        if float(number) != int(number):
            raise ValueError("phải là số nguyên (must be a whole number)")
        return int(number)
    return float(number)


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    key = name_key(str(value))
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError("phải là Có hoặc Không (must be yes or no)")


def parse_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [p.strip() for p in str(value).replace(",", ";").split(";") if p.strip()]


def parse_vocab(vocabulary: str, value: Any) -> str:
    code = kinds.code_of(vocabulary, str(value))
    if code is None:
        if vocabulary == "domain":
            return str(value).strip()  # a province's own domain is allowed; it pairs by exact name
        allowed = "; ".join(kinds.vi_labels(vocabulary))
        raise ValueError(f"giá trị không có trong danh mục (not in the list): {allowed}")
    return code


def parse_cell(column: Column, value: Any) -> Any:
    """The typed value of a cell; None for a blank cell. Raises ValueError with a bilingual reason."""
    if is_blank(value):
        return [] if column.type == "list" else None
    if column.type in _VOCAB_TYPES:
        return parse_vocab(column.type, value)
    parsers = {
        "str": lambda v: str(v).strip() if not isinstance(v, float) or not v.is_integer() else str(int(v)),
        "int": lambda v: parse_number(v, True),
        "float": lambda v: parse_number(v, False),
        "date": parse_date,
        "bool": parse_bool,
        "list": parse_list,
    }
    return parsers[column.type](value)


def format_cell(column: Column, value: Any) -> Any:
    """The value to write in a cell: Vietnamese labels for vocabularies, 'Có'/'Không', lists joined by '; '."""
    if value is None:
        return None
    if column.type in _VOCAB_TYPES:
        return kinds.term(column.type, value).vi
    if column.type == "bool":
        return "Có" if value else "Không"
    if column.type == "list":
        return "; ".join(value) or None
    return value
