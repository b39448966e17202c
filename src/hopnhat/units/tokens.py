"""Tokenising a free-text address: words with offsets, comma-separated segments, abbreviations expanded.

``P.01, Q.Hải Châu, TP.Đà Nẵng`` → tokens ``phuong 1 | quan hai chau | thanh pho da nang`` where each token keeps
its folded form (for matching), its accented lower form (for diacritic checks) and its place in its segment
(:func:`segment_starts` gives where each segment begins in the text).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TypeVar

from hopnhat.text.normalize import fold, nfc
from hopnhat.units.cache import outlive

# H'Drai, Ea H’Leo are one word; a dash between spaces (or an en/em dash) parts the text like a weak comma
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|[,;|\n]|(?<=\s)-(?=\s)|[–—]", re.UNICODE)
_APOSTROPHES = str.maketrans("", "", "'’")
_TP = re.compile(r"\b([Tt])\.\s?([PpTtXx])\b")  # T.P, T.T, T.X: one abbreviation each
_GLUED = re.compile(r"^(q|p|f|h|x|tx|tt|tp)\.?(\d+)$")
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}  # "vi" may be "Vĩ": see hopnhat.text.normalize
_SEPARATORS = frozenset(",;|\n")
_DASHES = frozenset("-–—")
_LOOSE = frozenset({"q", "p", "f", "h", "x", "t", "dk"})  # see _abbreviated

# abbreviation → expansion (folded words); each expansion is a type word
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "tp": ("thanh", "pho"),
    "tx": ("thi", "xa"),
    "tt": ("thi", "tran"),
    "q": ("quan",),
    "p": ("phuong",),
    "f": ("phuong",),
    "h": ("huyen",),
    "x": ("xa",),
    "t": ("tinh",),
    "dk": ("dac", "khu"),
}
SPECIAL: dict[str, tuple[str, ...]] = {"tphcm": ("thanh", "pho", "hcm"), "hcmc": ("hcm",)}
_SPECIAL_WORDS = frozenset(ABBREVIATIONS) | frozenset(SPECIAL)

# A dash between spaces before a type word (``Thôn 3 - Xã Tịnh Đông - Huyện Sơn Tịnh``) begins a new unit: it
# separates segments like a comma. Other dashes only part a segment (``Phường Lâm Viên - Đà Lạt`` is one name).
_TYPE_AHEAD = (r"thành\s+phố|thanh\s+pho|thị\s+xã|thi\s+xa|thị\s+trấn|thi\s+tran|đặc\s+khu|dac\s+khu|tỉnh|tinh|"
               r"quận|quan|huyện|huyen|phường|phuong|xã|xa|tp|tx|tt|đk|dk|[qphxtf]")
_HARD_DASH = r"(?<=\s)[-–—](?=\s+(?:" + _TYPE_AHEAD + r")(?![^\W\d_]))"
_SEGMENT_BREAK = re.compile(r"[,;|\n]|" + _HARD_DASH, re.IGNORECASE)
# _HARD_DASH from the dash on (its look-behind, a space before the dash, is read by hand: _dash_breaks)
_DASH_AHEAD = re.compile(r"[-–—](?=\s+(?:" + _TYPE_AHEAD + r")(?![^\W\d_]))", re.IGNORECASE)
_COMMAS = re.compile(r"[,;|\n]")
_BREAKS = _SEPARATORS | _DASHES
K = TypeVar("K")
V = TypeVar("V")

# type word (folded) → (accented form, levels it can name)
TYPE_WORDS: dict[tuple[str, ...], tuple[str, frozenset[str]]] = {
    ("thanh", "pho"): ("thành phố", frozenset({"province", "district"})),
    ("tinh",): ("tỉnh", frozenset({"province"})),
    ("quan",): ("quận", frozenset({"district"})),
    ("huyen",): ("huyện", frozenset({"district"})),
    ("thi", "xa"): ("thị xã", frozenset({"district"})),
    ("phuong",): ("phường", frozenset({"commune"})),
    ("xa",): ("xã", frozenset({"commune"})),
    ("thi", "tran"): ("thị trấn", frozenset({"commune"})),
    ("dac", "khu"): ("đặc khu", frozenset({"commune"})),
}

TYPE_FIRST_WORDS = frozenset(words[0] for words in TYPE_WORDS)
TWO_WORD_TYPE_FIRST = frozenset(words[0] for words in TYPE_WORDS if len(words) == 2)  # thanh, thi, dac
# TYPE_WORDS by the first word (one-word types) and by both (two-word types): read without making a tuple of keys
_ONE_WORD_TYPES = {words[0]: entry for words, entry in TYPE_WORDS.items() if len(words) == 1}
_TWO_WORD_TYPES: dict[str, dict[str, tuple[str, frozenset[str]]]] = {}
for _words, _entry in TYPE_WORDS.items():
    if len(_words) == 2:
        _TWO_WORD_TYPES.setdefault(_words[0], {})[_words[1]] = _entry


class Token:
    """One word of an address. Never changed once made: a segment's tokens are shared by every address that holds
    it. Compiled, an extension type with C fields (``tokens.pxd``): the parser reads them as struct fields."""

    __slots__ = ("key", "accented", "start", "end", "segment", "expanded", "part")

    def __init__(self, key: str, accented: str, start: int, end: int, segment: int, expanded: bool = False,
                 part: int = 0) -> None:
        self.key = key  # folded, lower, numbers without leading zeros
        self.accented = accented  # NFC lower, as written
        self.start = start  # in its segment's text: a segment's tokens are the same in every address that holds it
        self.end = end
        self.segment = segment  # comma-separated segment: a name never spans two
        self.expanded = expanded  # came from an abbreviation: surely a type word
        self.part = part  # segment, further parted by dashes: a type word or a Roman numeral never spans two

    @property
    def has_marks(self) -> bool:
        return self.key != self.accented and not self.expanded and not self.key.isdigit()

    def __repr__(self) -> str:
        return (f"Token({self.key!r}, {self.accented!r}, {self.start}, {self.end}, {self.segment}, "
                f"{bool(self.expanded)}, {self.part})")


def _token(key: str, accented: str, start: int, end: int, segment: int, expanded: bool, part: int) -> Token:
    """A token made without a Python call (compiled: its fields set as C fields)."""
    t = Token.__new__(Token)
    t.key = key
    t.accented = accented
    t.start = start
    t.end = end
    t.segment = segment
    t.expanded = expanded
    t.part = part
    return t


def _canonical(word: str) -> str:
    if word.isdigit():
        return word.lstrip("0") or "0"
    return word


def _expand(word: str, folded: str, start: int, end: int, segment: int, part: int, loose: bool) -> list[Token]:
    """Tokens of one word; ``loose`` says a bare abbreviation that is also a plausible piece of a name (one letter,
    or ``Đk``) stays a word: ``Xã T Bhing`` is a typo of Tà Bhing, not ``Xã Tỉnh Bhing``."""
    if folded.isalpha() and (folded not in ABBREVIATIONS or loose) and folded not in SPECIAL:
        return [_token(folded, word, start, end, segment, False, part)]  # the common case, kept fast
    if folded in SPECIAL:
        return [_token(w, w, start, end, segment, True, part) for w in SPECIAL[folded]]
    glued = _GLUED.match(folded)
    if glued:
        words = ABBREVIATIONS[glued.group(1)]
        return [_token(w, w, start, end, segment, True, part) for w in words] + [
            _token(_canonical(glued.group(2)), glued.group(2), start, end, segment, False, part)
        ]
    if folded in ABBREVIATIONS:
        return [_token(w, w, start, end, segment, True, part) for w in ABBREVIATIONS[folded]]
    return [_token(_canonical(folded), word, start, end, segment, False, part)]


# A type word written after the name, in brackets, as form exports write it: ``Cai Lậy (Thị xã)``, ``Mỹ Phước (Thị
# trấn )``, ``Hải Châu (Q.)``. The name runs back to the segment's start, a spaced dash or another bracket.
_BRACKET_TYPES = (r"(?P<type>thành\s+phố|thanh\s+pho|thị\s+xã|thi\s+xa|thị\s+trấn|thi\s+tran|đặc\s+khu|dac\s+khu|tỉnh|"
                  r"tinh|quận|quan|huyện|huyen|phường|phuong|xã|xa|tp|tx|tt|"
                  r"[qphx](?=\s*\.))\s*\.?\s*\)")  # a one-letter type counts with its dot
# one bracketed type in a comma segment: its name runs back to the comma (``Bà Rịa - Vũng Tàu (Tỉnh)``); several:
# each name runs back to a spaced dash (``Tân Hội (Xã) - Cai Lậy (Thị xã)``). Decided per segment, as every
# preparation is, so that an ending prepares as it does inside its address.
_BRACKET_TYPE_WHOLE = re.compile(r"(?P<name>[^,;|\n()]*[^\W_][^,;|\n()]*?)\s*\(\s*" + _BRACKET_TYPES,
                                 re.IGNORECASE)
_SEPARATOR_SPLIT = re.compile(r"([,;|\n])")
_BRACKET_TYPE = re.compile(
    r"(?P<name>(?:[^,;|\n()\-–—]|(?<=\S)-(?=\S))*[^\W_](?:[^,;|\n()\-–—]|(?<=\S)-(?=\S))*?)\s*\(\s*"
    + _BRACKET_TYPES, re.IGNORECASE)
_ABBREVIATED_TYPE = {"tp": "TP.", "tx": "TX.", "tt": "TT.", "q": "Q.", "p": "P.", "h": "H.", "x": "X."}
# TT Huế, TT-Huế, T.T.Huế, tt Huế, Tt. huế, tt hue: Thừa Thiên Huế in any letter case (no thị trấn was ever named Huế)
_TT_HUE = re.compile(r"\bT\.?\s?T\.?\s?-?\s?Hu[ếe]\b", re.IGNORECASE)


def _type_first(m: re.Match[str]) -> str:
    name, type_ = m.group("name"), " ".join(m.group("type").split())
    lead = name[: len(name) - len(name.lstrip())]
    if _begins_with_type(name.strip().lower(), type_):
        return name  # "Phường 1 (Phường)": the type is written already
    return f"{lead}{_ABBREVIATED_TYPE.get(type_.lower(), type_)} {name.strip()}"


_FOLDED_TYPES: dict[str, str] = {}  # a bracketed type as written → fold(type.lower()) + " "


def _begins_with_type(name: str, type_: str) -> bool:
    """``fold(name).startswith(fold(type_.lower()) + " ")``, without folding a name that cannot: an NFC name whose
    first character is ASCII folds to a text beginning with that character (folding maps every other character to
    at most one, and ASCII to itself), so a first letter other than the type's says no (most names)."""
    folded_type = _FOLDED_TYPES.get(type_)
    if folded_type is None:
        folded_type = _remember(_FOLDED_TYPES, type_, fold(type_.lower()) + " ")
    first = name[:1]
    if first != folded_type[:1] and first.isascii() and unicodedata.is_normalized("NFC", name):
        return False
    return fold(name).startswith(folded_type)


_SPACED_APOSTROPHE = re.compile(r"(?<![^\W\d_])([^\W\d_]{1,2})['’]\s+(?=[^\W\d_])")  # "H' Neng", "Ia H' Drai"


def _bracket_types(segment: str) -> str:
    if segment.count("(") == 1:  # the usual case: at most one match, replaced without sub's callback
        m = _BRACKET_TYPE_WHOLE.search(segment)
        return segment if m is None else segment[: m.start()] + _type_first(m) + segment[m.end() :]
    several = len(_BRACKET_TYPE.findall(segment)) > 1  # (each match holds one "(")
    return (_BRACKET_TYPE if several else _BRACKET_TYPE_WHOLE).sub(_type_first, segment)


def prepare(text: str) -> str:
    """The text the tokens are read from: NFC, ``T.P`` written ``TP``, a type word written after its name in
    brackets put before it (``Cai Lậy (Thị xã)`` → ``Thị xã Cai Lậy``), ``TT Huế`` written ``Thừa Thiên Huế`` (in
    any letter case: ``tt Huế``, ``Tt. huế``), ``H' Neng`` written ``H'Neng`` (one word, as the lists of several years
    write it).
    Nothing moves across a comma."""
    text = nfc(text)
    if "' " in text or "’ " in text:
        text = _SPACED_APOSTROPHE.sub(r"\1'", text)
    if "(" in text:
        text = "".join([_bracket_types(piece) if "(" in piece else piece for piece in _SEPARATOR_SPLIT.split(text)]) \
            if "," in text or ";" in text or "|" in text or "\n" in text else _bracket_types(text)
    # (it holds two t and "hu" in any letter case: no other character lowers to an h, a u or a t, so this is
    # text.lower()'s "hu" and count("t") without lowering the text)
    if ("hu" in text or "Hu" in text or "hU" in text or "HU" in text) and text.count("t") + text.count("T") > 1 \
            and _TT_HUE.search(text):
        text = _TT_HUE.sub("Thừa Thiên Huế", text)
    return _TP.sub(r"\1\2", text) if "T." in text or "t." in text else text


def segments(prepared: str) -> list[str]:
    """The segments of a :func:`prepare`-d text, as :func:`tokenize` numbers them."""
    if "-" in prepared or "–" in prepared or "—" in prepared:
        return _SEGMENT_BREAK.split(prepared)
    return _COMMAS.split(prepared)


def tokenize(text: str, prepared: bool = False) -> tuple[str, list[Token]]:
    """Return the NFC text (with ``T.P`` written ``TP``) and its tokens; ``prepared`` says the text is :func:`prepare`-d
    already (the bulk converter prepares each address once).

    Commas (and ``;``, ``|``, new lines) separate segments, and so does a dash between spaces before a type word
    (``Thôn 3 - Xã Tịnh Đông``); any other dash between spaces separates parts of a segment, so that ``Quận`` ending
    ``Xã Thượng Quận - Thị xã Kinh Môn`` is not read as a type word, while a name written with a dash (``Phường Lâm
    Viên - Đà Lạt``) still matches across it.

    Each segment is read on its own (nothing in one changes the words of another), and remembered: the province and
    district ending many addresses are read once.
    """
    if not prepared:
        text = prepare(text)
    return text, _tokens(segments(text))


def segment_starts(pieces: Sequence[str]) -> list[int]:
    """Where each segment begins in ``",".join(pieces)`` (or in the text :func:`segments` split: every separator is
    one character): a token's place in the text is its segment's start plus its own."""
    starts = [0]
    for piece in pieces:
        starts.append(starts[-1] + len(piece) + 1)
    return starts


def tokenize_segments(pieces: Sequence[str]) -> tuple[str, list[Token]]:
    """:func:`tokenize` of ``",".join(pieces)``, :func:`prepare`-d segments (:func:`prepared_segments`), without
    splitting the text again."""
    return ",".join(pieces), _tokens(pieces)


def segment_tokens(pieces: Sequence[str]) -> list[Token]:
    """The tokens of :func:`tokenize_segments`, without the joined text."""
    return _tokens(pieces)


def prepared_segments(text: str) -> list[str]:
    """``segments(prepare(text))``, each comma piece prepared and split once per process (the province and district
    ending many addresses recur): preparing never looks across a comma, ``;``, ``|`` (nor the dash rule), only its
    whitespace rules across a new line, so such a text is prepared whole."""
    if "\n" in text:
        return segments(prepare(text))
    out: list[str] = []
    pieces = _COMMAS.split(text) if ";" in text or "|" in text else text.split(",")
    memo = _PIECES
    for piece in pieces:
        found = memo.get(piece)
        if found is None:
            found = _remember(_PIECES, piece, _piece_segments(prepare(piece)))
        out.extend(found)
    return out


def _piece_segments(prepared: str) -> tuple[str, ...]:
    """:func:`segments` of a prepared comma piece (no ``,``, ``;``, ``|`` nor new line in it, nor added by
    preparing): only a dash can part it."""
    if "-" in prepared or "–" in prepared or "—" in prepared:
        return _dash_breaks(prepared)
    return (prepared,)


def _dash_breaks(piece: str) -> tuple[str, ...]:
    """``tuple(_SEGMENT_BREAK.split(piece))`` for a piece without ``,``, ``;``, ``|`` or new line: each dash tried
    where it is (after a space, as the expression's look-behind asks) instead of the expression tried at every
    character (a tenth of the addresses are written with dashes and no comma: their whole text is this piece)."""
    if "," in piece or ";" in piece or "|" in piece or "\n" in piece:
        return tuple(_SEGMENT_BREAK.split(piece))
    out: list[str] = []
    begin = 0
    for i in range(1, len(piece)):
        c = piece[i]
        if (c == "-" or c == "–" or c == "—") and piece[i - 1].isspace() and _DASH_AHEAD.match(piece, i):
            out.append(piece[begin:i])
            begin = i + 1
    out.append(piece[begin:])
    return tuple(out)


# What the tokenizer read, remembered by text (plain dictionaries, emptied when full: a lookup costs less than an
# lru_cache's, and the province and district pieces ending many addresses are asked for again and again)
_MEMO_SIZE = 100_000
_PIECES: dict[str, tuple[str, ...]] = {}  # a comma piece → its prepared segments
_WORDS: dict[str, tuple[tuple[Token, ...], int]] = {}  # a segment → its tokens as the first segment
_READ_ONCE: dict[str, None] = {}  # segments read once (see _segment_words)
_NUMBERED: dict[tuple[str, int, int], tuple[tuple[Token, ...], int]] = {}  # (segment, number, parts before) → tokens


def _remember(memo: dict[K, V], key: K, value: V) -> V:
    if len(memo) >= _MEMO_SIZE:
        memo.clear()
    memo[key] = value
    return value


def _tokens(pieces: Sequence[str]) -> list[Token]:
    """The tokens of these segments, each segment's remembered by its text, number and the parts before it (the
    district and province ending many addresses come at the same numbers: their tokens are made once)."""
    tokens: list[Token] = []
    part_base = 0
    numbered = _NUMBERED
    for segment, piece in enumerate(pieces):
        found: tuple[tuple[Token, ...], int] | None = _segment_words(piece) if segment == 0 else \
            numbered.get((piece, segment, part_base))
        if found is None:
            found = _remember(_NUMBERED, (piece, segment, part_base), _numbered_words(piece, segment, part_base))
        tokens.extend(found[0])
        part_base += found[1] + 1
    return tokens


def _numbered_words(piece: str, segment: int, part_base: int) -> tuple[tuple[Token, ...], int]:
    """:func:`_segment_words` of a segment that is not the first: its number, and its parts counted after
    ``part_base``."""
    words, dashes = _segment_words(piece)
    return tuple([_token(t.key, t.accented, t.start, t.end, segment, t.expanded, t.part + part_base)
                  for t in words]), dashes


def _segment_words(piece: str) -> tuple[tuple[Token, ...], int]:
    """The tokens of one segment as if it were the first (offsets and parts counted from its start, segment 0) and
    how many dashes part it. Tokens are never changed: the first segment of a text uses these.

    Remembered from a segment's second reading on: most segments read first are communes met once (of 48,000 in
    100,000 whole-country addresses, 9,400 were read again), and keeping the tokens of each (a kilobyte) for
    nothing cost more than reading the others twice."""
    memo = _WORDS
    found = memo.get(piece)
    if found is None:
        found = _read_words(piece)
        if piece in _READ_ONCE:
            _remember(_WORDS, piece, found)
        else:
            _remember(_READ_ONCE, piece, None)
    return found


def _read_words(piece: str) -> tuple[tuple[Token, ...], int]:
    lower = piece.lower()
    n = len(lower)
    # the folded text, when its words cannot be folded one by one (see _folds_by_word); None when they can
    folded_text = None if lower.isascii() or _folds_by_word(lower) else fold(lower)
    apostrophes = "'" in lower or "’" in lower
    tokens: list[Token] = []
    part = 0
    expanded = roman = False
    i = 0
    while i < n:  # _WORD.finditer(lower), scanned by hand (word_spans says so; a test holds the two equal)
        end = _word_end(lower, i, n)
        if end < 0:
            if _is_break(lower, i, n):
                part += 1  # a separator cannot be inside a segment: a dash parting it
            i += 1
            continue
        start, i = i, end
        word = lower[start:end]
        if folded_text is not None:
            folded = folded_text[start:end]
        elif word.isascii():
            folded = word  # ASCII folds to itself
        else:
            known = _FOLDED.get(word)
            folded = known if known is not None else _remember(_FOLDED, word, fold(word))
        if apostrophes:
            word, folded = word.translate(_APOSTROPHES), folded.translate(_APOSTROPHES)
        if folded.isalpha() and folded not in _SPECIAL_WORDS:  # the common case, kept fast
            tokens.append(_token(folded, word, start, end, 0, False, part))
            roman = roman or folded in _ROMAN
            continue
        loose = folded in _LOOSE and not _abbreviated(piece, start, end, folded, tokens, part)
        words = _expand(word, folded, start, end, 0, part, loose)
        tokens.extend(words)
        for t in words:
            expanded = expanded or t.expanded
            roman = roman or t.key in _ROMAN
    if expanded:
        tokens = _closing_abbreviations(piece, tokens)
        roman = True  # the closing words may be numerals: _romans looks
    if roman:
        tokens = _romans(piece, tokens)
    return tuple(tokens), part


_FOLDED: dict[str, str] = {}  # a word → fold(word)
outlive(_PIECES, _WORDS, _READ_ONCE, _NUMBERED, _FOLDED, _FOLDED_TYPES)


def _folds_by_word(lower: str) -> bool:
    """Whether ``fold(lower)[start:end]`` is ``fold(lower[start:end])`` for every word: the text is NFC and every
    character outside the words is ASCII (folding deletes only combining marks, which are never in a word, and maps
    every other character to one)."""
    if not unicodedata.is_normalized("NFC", lower):
        return False
    for c in lower:
        if ord(c) >= 128 and not c.isalnum():
            return False
    return True


def _word_end(text: str, i: int, n: int) -> int:
    """Where the word of ``_WORD`` starting at ``i`` ends (letters or digits, apostrophes between them), or -1."""
    if not text[i].isalnum():
        return -1
    j = i + 1
    while j < n and text[j].isalnum():
        j += 1
    while j + 1 < n and (text[j] == "'" or text[j] == "’") and text[j + 1].isalnum():
        j += 2
        while j < n and text[j].isalnum():
            j += 1
    return j


def _is_break(text: str, i: int, n: int) -> bool:
    """The character at ``i`` (not in a word) is one that ``_WORD`` matches alone: a separator, a dash between
    spaces, an en or em dash."""
    c = text[i]
    if c == "-":
        return 0 < i < n - 1 and text[i - 1].isspace() and text[i + 1].isspace()
    return c == "," or c == ";" or c == "|" or c == "\n" or c == "–" or c == "—"


def word_spans(text: str) -> list[tuple[int, int]]:
    """The spans :func:`_read_words` reads in ``text``: those of ``_WORD.finditer(text)``."""
    spans: list[tuple[int, int]] = []
    n = len(text)
    i = 0
    while i < n:
        end = _word_end(text, i, n)
        if end < 0:
            if _is_break(text, i, n):
                spans.append((i, i + 1))
            i += 1
        else:
            spans.append((i, end))
            i = end
    return spans


def _abbreviated(text: str, start: int, end: int, folded: str, tokens: list[Token], part: int) -> bool:
    """A one-letter abbreviation counts where abbreviations are written: followed by a dot (``P.``) or opening a part
    of the address (``Q 3``); ``ĐK`` (đặc khu) in capitals or with a dot."""
    dotted = text[end : end + 1] == "."
    if folded == "dk":
        return dotted or text[start:end].isupper()
    return dotted or not tokens or tokens[-1].part != part


def _romans(text: str, tokens: list[Token]) -> list[Token]:
    """A Roman numeral closing a part of a segment (``Hải Châu II``) reads as a number, when it is written in
    capitals or its whole segment is in lower case (``Xã Ga i`` is a typo of Ga Ri, not Ga 1)."""
    if not any(tok.key in _ROMAN for tok in tokens):
        return tokens
    out = list(tokens)
    lower_case = not any(c.isupper() for c in text)
    for i, tok in enumerate(tokens):
        last = i + 1 == len(tokens) or tokens[i + 1].part != tok.part
        named = i > 0 and tokens[i - 1].part == tok.part  # a numeral alone in its part names nothing
        capital = lower_case or text[tok.start : tok.end].isupper()
        if last and named and capital and tok.key in _ROMAN and not tok.expanded and tok.accented == tok.key:
            out[i] = _token(_ROMAN[tok.key], tok.accented, tok.start, tok.end, tok.segment, tok.expanded,
                            tok.part)
    return out


def _closing_abbreviations(text: str, tokens: list[Token]) -> list[Token]:
    """An abbreviation ending its part without a dot (``Xã Trà Tp``) names no unit after it: it is a word."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        j = i
        while j + 1 < len(tokens) and tokens[j + 1].start == tok.start:
            j += 1  # the words one abbreviation expanded into
        closing = j + 1 == len(tokens) or tokens[j + 1].part != tok.part
        if tok.expanded and closing and text[tok.end : tok.end + 1] != "." and j + 1 - i == len(
                ABBREVIATIONS.get(fold(text[tok.start : tok.end].lower()), ())):
            word = text[tok.start : tok.end].lower()
            out.append(_token(fold(word), word, tok.start, tok.end, tok.segment, False, tok.part))
        else:
            out.extend(tokens[i : j + 1])
        i = j + 1
    return out


def type_entry(words: list[Token]) -> tuple[str, frozenset[str]] | None:
    """The type word these tokens spell (``phường``…), unless their diacritics say it is a name (``phương``)."""
    if not words:
        return None
    t = words[0]
    if t.key not in TYPE_FIRST_WORDS:
        return None
    n = len(words)
    if n == 1:
        entry = _ONE_WORD_TYPES.get(t.key)
    elif n == 2:  # TYPE_WORDS.get((first, second)), read without making the tuple
        second = _TWO_WORD_TYPES.get(t.key)
        entry = None if second is None else second.get(words[1].key)
    else:
        entry = None
    if entry is None:
        return None
    for t in words:  # a loop, not any(): generators are slow in the compiled module
        if t.key != t.accented and not t.expanded and not t.key.isdigit():  # Token.has_marks, written out
            return entry if " ".join([w.accented for w in words]) == entry[0] else None
    return entry


def ends_type_word(tokens: list[Token], pos: int) -> bool:
    """A type word ends right before ``pos`` in its part: then what follows is a name, even a word spelt like a
    type (``Phường Quan Trung``: two types never follow each other)."""
    if pos >= len(tokens):
        return False
    b = tokens[pos]
    for size in (2, 1):
        if pos - size >= 0:
            a = tokens[pos - size]
            if a.part == b.part and type_entry(tokens[pos - size : pos]) is not None:
                return True
    return False


def type_word_before(tokens: list[Token], pos: int) -> tuple[int, frozenset[str], str] | None:
    """If a type word (``phường``, ``thị xã``…) ends right before the name starting at ``pos``, in the name's
    part of a segment: (the type word's start, the levels it can name, its folded key such as ``thixa``)."""
    if pos >= len(tokens):
        return None
    b = tokens[pos]
    for size in (2, 1):
        first = pos - size
        if first < 0:
            continue
        a = tokens[first]
        if a.part != b.part:
            continue
        words = tokens[first:pos]
        entry = type_entry(words)
        if entry is None or ends_type_word(tokens, first):
            continue  # "phương" (a name) is not "phường" (a type); nor is "Quan" after "Phường"
        return first, entry[1], "".join([t.key for t in words])
    return None
