"""The repair stage of the pipeline: legacy encodings → NFC Unicode, per source column, originals kept.

A column's encoding is the one the merger file declares (table ``encoding`` or ``column_encodings``) or, when none is
declared, the one detected on its first batch. Legacy estates are rarely clean: a row pasted from another system (a
TCVN3 line in a UTF-8 export, mojibake in a database), so a cell whose reading under the column's encoding is not
plausible Vietnamese is read on its own; when no reading is plausible, the cell is kept as it was and reported.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from hopnhat.i18n import tr
from hopnhat.text.legacy import LegacyEncodingError, detect, is_syllable, repair_value

_SAMPLE = 5_000
_GOOD = 0.75  # most words read as syllables: the reading is right, a typo or a foreign word aside
_FAIR = 0.5
_CP1252_EXTRA = set("ŒœŠšŸŽžƒ")
_ALIASES = {"utf8": "utf-8", "utf-8-sig": "utf-8", "windows-1258": "cp1258", "vni-windows": "vni", "abc": "tcvn3"}


@dataclass(frozen=True)
class CellRepair:
    """One cell whose text changed (``kind`` = the encoding it was read in) or could not be repaired (``problem``)."""

    index: int
    original: str
    repaired: str
    kind: str
    problem: str | None = None


_WORD = re.compile(r"[^\W\d_]+")


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if not w.isascii()]


_SYLLABLES: dict[str, bool] = {}


def _syllable(word: str) -> bool:
    """is_syllable, remembered: the words of names and addresses repeat endlessly."""
    known = _SYLLABLES.get(word)
    if known is None:
        if len(_SYLLABLES) > 500_000:
            _SYLLABLES.clear()
        known = _SYLLABLES[word] = is_syllable(word)
    return known


def syllable_share(text: str) -> float:
    """Share of the non-ASCII words that are Vietnamese syllables (1.0 when there are none)."""
    words = [w for w in _words(text) if w]
    return sum(_syllable(w) for w in words) / len(words) if words else 1.0


def genuine_unicode(text: str) -> bool:
    """Holds a Vietnamese letter that no single-byte legacy reading produces (ư, ơ, ạ, đ …): real Unicode."""
    return any("\u0100" <= c <= "\u1eff" and c not in _CP1252_EXTRA for c in unicodedata.normalize("NFC", text))


def canonical_encoding(name: str | None) -> str | None:
    if not name:
        return None
    low = name.strip().lower()
    return _ALIASES.get(low, low)


@dataclass
class ColumnRepairer:
    """Repairs the cells of one source column batch after batch, with the same encoding throughout the table."""

    column: str
    encoding: str | None = None
    _cache: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)

    def _settle(self, cells: list[str | None]) -> None:
        if self.encoding is None:
            sample = [c for c in cells if c and not c.isascii()][:_SAMPLE]
            self.encoding = detect(sample).encoding if sample else None

    def _reading(self, cell: str, encoding: str) -> tuple[str, float] | None:
        try:
            text = unicodedata.normalize("NFC", repair_value(cell, encoding))
        except LegacyEncodingError:
            return None
        return text, syllable_share(text)

    def _read(self, cell: str) -> tuple[str, str, str | None]:
        """(text, encoding read in, problem) for one distinct cell.

        The column's encoding wins when most of the cell's words read as Vietnamese syllables under it (a typo in a
        name must not make the whole cell suspect); otherwise the cell is read alone; otherwise kept and reported.
        """
        enc = self.encoding or "ascii"
        main = self._reading(cell, enc)
        if main is not None and main[1] >= _GOOD:
            return main[0], enc, None
        alone = detect([cell]).encoding
        other = self._reading(cell, alone) if alone not in ("ascii", enc) else None
        if other is not None and other[1] >= _GOOD and other[1] > (main[1] if main else 0):
            return other[0], alone, None
        if genuine_unicode(cell):
            return unicodedata.normalize("NFC", cell), "utf-8", None  # real Unicode with a foreign word: keep it
        if main is not None and main[1] >= _FAIR:
            return main[0], enc, None
        reason = tr(f"không đọc được như tiếng Việt ở bảng mã {enc}", f"not readable as Vietnamese in {enc}")
        return cell, enc, reason

    def repair(self, cells: list[str | None]) -> tuple[list[str | None], list[CellRepair]]:
        """Repaired cells (same length) and the cells that changed or could not be repaired."""
        self._settle(cells)
        out: list[str | None] = []
        changes: list[CellRepair] = []
        for i, cell in enumerate(cells):
            if cell is None or cell.isascii():
                out.append(cell)
                continue
            if cell not in self._cache:
                self._cache[cell] = self._read(cell)
            text, kind, problem = self._cache[cell]
            out.append(text)
            if problem is not None or text != cell:
                changes.append(CellRepair(i, cell, text, kind, problem))
        if len(self._cache) > 200_000:
            self._cache.clear()
        return out, changes
