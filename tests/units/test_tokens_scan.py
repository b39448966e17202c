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


# pieces of addresses around dashes: spaces of several kinds, type words in every case and spelling, letters after
_DASH_WORDS = st.sampled_from(["-", "–", "—", " ", "\u00a0", "\t", "Xã", "XÃ", "xa", "Thị  trấn", "THANH PHO", "tp",
                               "TP.", "P", "q.", "Đk", "Huyện", "phuong", "Tỉnh", "tinh", "Xa", "ab", "đà", "1", "."])


@settings(max_examples=2000, deadline=None)
@given(st.lists(_DASH_WORDS, max_size=12).map("".join))
def test_dashes_break_a_piece_as_the_regular_expression_does(piece):
    assert tokens._dash_breaks(piece) == tuple(tokens._SEGMENT_BREAK.split(piece))


def test_a_dash_before_a_type_word_breaks_the_piece():
    assert tokens._dash_breaks("Thôn 3 - Xã Tịnh Đông - Huyện Sơn Tịnh") == ("Thôn 3 ", " Xã Tịnh Đông ",
                                                                            " Huyện Sơn Tịnh")
    assert tokens._dash_breaks("Phường Lâm Viên - Đà Lạt") == ("Phường Lâm Viên - Đà Lạt",)
    assert tokens._dash_breaks("Xã Thượng Quận - Thị xã Kinh Môn") == ("Xã Thượng Quận ", " Thị xã Kinh Môn")


_NAMES = st.sampled_from(["xã", "xa", "xuân", "Xã", "thị trấn", "thi tran", "phường", "phuong", "p.", "đà", "a\u0301",
                          "x\u0301a", "\u212b", " ", "1", "mỹ", "tt", "hòa"])


@settings(max_examples=2000, deadline=None)
@given(st.lists(_NAMES, max_size=5).map(" ".join), st.sampled_from(["Xã", "xa", "Thị trấn", "thi tran", "Phường",
                                                                      "P", "Tp", "Huyện", "Thành phố", "Tỉnh"]))
def test_a_name_begins_with_its_type_as_folding_says(name, type_):
    assert tokens._begins_with_type(name, type_) == fold(name).startswith(fold(type_.lower()) + " ")
