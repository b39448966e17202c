"""The tokenizer reads words by hand, not with its regular expression, and folds them one by one when it can: the
same spans, and the same folded words, as the regular expression and the folding of the whole text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hopnhat.text.normalize import fold
from hopnhat.units import tokens

# letters with and without diacritics (composed and not), digits of other scripts, apostrophes, every separator and
# dash, Unicode spaces, an underscore, a lone combining mark, a non-NFC singleton (Ångström sign), a superscript digit
_CHARS = st.sampled_from(list("aĐđốỏươ1٣²_'’ -–—,;|\n\t\u00a0\u2003.()") + ["e\u0301", "\u0301", "\u212b", "Ⅷ"])


@settings(max_examples=1000, deadline=None)
@given(st.lists(_CHARS, max_size=24).map("".join))
def test_words_are_the_regular_expressions(text):
    assert tokens.word_spans(text) == [m.span() for m in tokens._WORD.finditer(text)]


@settings(max_examples=1000, deadline=None)
@given(st.lists(_CHARS, max_size=24).map("".join))
def test_words_fold_alone_as_in_their_text(text):
    lower = text.lower()
    if tokens._folds_by_word(lower):
        whole = fold(lower)
        assert len(whole) == len(lower)
        for start, end in tokens.word_spans(lower):
            assert fold(lower[start:end]) == whole[start:end]


def test_a_text_folded_whole_when_its_words_cannot_be():
    assert not tokens._folds_by_word("xa\u0301 hoa")  # a combining mark outside NFC
    assert not tokens._folds_by_word("hoa \u0301 binh")  # a mark alone between words: folding deletes it
    assert tokens._folds_by_word("xã hòa bình - đà nẵng")
