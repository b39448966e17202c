"""Derive the public name pool (``public_*.tsv`` beside this file) from the MIT-licensed Vietnamese Name DB.

Only counts of name parts are kept (family name; middle name by sex; given name by sex), never a person's full name.
Run once, from the repository root, on a checkout of https://github.com/duyet/vietnamese-namedb::

    .venv/bin/python -m bench.population.public_names_derive <checkout folder>

Cleaning: names are NFC-normalised; a name is kept only when every word is a well-formed Vietnamese syllable
(drops the source's VNI/Windows-1252 mojibake such as "Buøi", "Ñoã", "BĂši", and forum handles such as "Student")
and it has at least a family and a given name. Sex is not in the source: a name with "Thị" among its middle words
is a woman's, with "Văn" a man's; any other name is shared between the sexes by ``SexModel`` (its given and middle
words' leaning in the sample and in the source's ``girl_one_word.txt`` / ``boy_one_word.txt``). Given names of
those two lists that never occur in the sample are written with count 0 (the generator gives every row a small
floor weight).
"""

from __future__ import annotations

import json
import math
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_NUCLEI = set("""a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ uy
ưa ưi ươ ưu yê iêu yêu oai oay oao oeo uây uôi uya uyê uyu ươi ươu""".split())
_SYLLABLE = re.compile(r"^(ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdđghklmnprstvx])?([aăâeêioôơuưy]+?)"
                       r"(ch|nh|ng|[cmnpt])?$")


def _untoned(word: str) -> tuple[str, int]:
    """The word lower-cased without its tone mark (vowel shapes kept), and how many tone marks it had."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sum(1 for ch in decomposed if ch in _TONES)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES)), tones


def is_syllable(word: str) -> bool:
    """A well-formed Vietnamese syllable: initial, a known vowel nucleus (the glide of qu/gi aside), final."""
    bare, tones = _untoned(word)
    match = _SYLLABLE.match(bare)
    if tones > 1 or not match or not word[:1].isupper() or not word[1:].islower():
        return False
    initial, nucleus, final = match.group(1) or "", match.group(2), match.group(3) or ""
    if final == "" and len(nucleus) > 1 and nucleus[-1] in "iouy" and nucleus[:-1] in _NUCLEI:
        return True  # a vowel ending in a semivowel (Tài, Sáu, Tuy)
    if initial in ("qu", "gi") and nucleus == "":
        return False
    return nucleus in _NUCLEI


def clean(full_names: list[str]) -> list[list[str]]:
    out = []
    for name in full_names:
        words = unicodedata.normalize("NFC", name.replace("\u00d0", "\u0110")).split()
        if len(words) >= 2 and all(is_syllable(w) for w in words):
            out.append(words)
    return out


def marked_sex(words: list[str]) -> str | None:
    """"Thị" among the middle words marks a woman, "Văn" a man."""
    middle = words[1:-1]
    return "F" if "Thị" in middle else "M" if "Văn" in middle else None


def _lean(counts: Counter[str]) -> float:
    """The share of women, smoothed: (women + ½) / (all + 1)."""
    return (counts["F"] + 0.5) / (counts.total() + 1)


def _logit(p: float) -> float:
    p = min(0.98, max(0.02, p))
    return math.log(p / (1 - p))


class SexModel:
    """The sex of a name without a Thị/Văn mark, from its words: how often its given name carries either mark in
    the sample (else the source's girl / boy word lists), and how often each middle word goes with names whose sex
    is known (marked or with a given name that leans ≥ 90 % one way); the two combined as independent evidence."""

    def __init__(self, people: list[list[str]], girls: set[str], boys: set[str]) -> None:
        self.girls, self.boys = girls, boys
        marked: dict[str, Counter[str]] = defaultdict(Counter)
        for words in people:
            sex = marked_sex(words)
            if sex:
                marked[words[-1]][sex] += 1
        self.given = {g: _lean(c) for g, c in marked.items() if c.total() >= 2}
        middle: dict[str, Counter[str]] = defaultdict(Counter)
        for words in people:
            lean = 1.0 if marked_sex(words) == "F" else 0.0 if marked_sex(words) else self.given_lean(words[-1])
            if lean >= 0.9 or lean <= 0.1:
                for word in words[1:-1]:
                    if word not in ("Thị", "Văn"):
                        middle[word]["F" if lean >= 0.5 else "M"] += 1
        self.middle = {w: _lean(c) for w, c in middle.items() if c.total() >= 3}

    def given_lean(self, given: str) -> float:
        if given in self.given:
            return self.given[given]
        if (given in self.girls) != (given in self.boys):
            return 0.9 if given in self.girls else 0.1
        return 0.5

    def shares(self, words: list[str]) -> dict[str, float]:
        sex = marked_sex(words)
        if sex:
            return {sex: 1.0}
        logit = _logit(self.given_lean(words[-1])) + sum(_logit(self.middle.get(w, 0.5)) for w in words[1:-1])
        female = 1 / (1 + math.exp(-logit))
        return {"F": female, "M": 1 - female}


def _words(path: Path) -> set[str]:
    return {unicodedata.normalize("NFC", w.replace("\u00d0", "\u0110")) for w in path.read_text("utf-8").split()}


def derive(folder: Path) -> dict[str, dict[tuple[str, ...], float]]:
    people = clean([p["full_name"] for p in json.loads((folder / "uit_member.json").read_text("utf-8"))])
    girls, boys = _words(folder / "girl_one_word.txt"), _words(folder / "boy_one_word.txt")
    model = SexModel(people, girls, boys)
    family: dict[tuple[str, ...], float] = defaultdict(float)
    middle: dict[tuple[str, ...], float] = defaultdict(float)
    given: dict[tuple[str, ...], float] = defaultdict(float)
    for words in people:
        family[(words[0],)] += 1
        for sex, share in model.shares(words).items():
            middle[(sex, " ".join(words[1:-1]))] += share
            given[(sex, words[-1])] += share
    for sex, pool in (("F", girls), ("M", boys)):
        for word in pool:
            if is_syllable(word):
                given[(sex, word)] += 0
    return {"family": family, "middle": middle, "given": given}


def write(tables: dict[str, dict[tuple[str, ...], float]], out: Path) -> None:
    for name, counts in tables.items():
        rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        lines = ["\t".join([*key, f"{count:g}"]) for key, count in rows]
        (out / f"public_{name}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: public_names_derive.py <vietnamese-namedb checkout>")
    write(derive(Path(sys.argv[1])), HERE)


if __name__ == "__main__":
    main()
