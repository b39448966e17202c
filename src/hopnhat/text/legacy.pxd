# Cython declarations for legacy.py (compiled by setup.py; ignored when the module runs as plain Python): the helpers
# that read and score every distinct cell become C functions of the module with C-typed counters, so calling them
# costs no Python call and their loops no Python integer arithmetic. Public names stay Python functions (cpdef).

cimport cython

# the memos and tables the hot helpers read, typed (a dictionary's get and len are then C calls, not attribute
# lookups and method objects); module-private, so not visible from Python
cdef dict _MARKED, _KINH_WORDS, _QUALITIES, _SOURCES, _MEMO, _SCORED, _STATS, _WORDS, _TALLIES, _FAILED, _CHAR_TONES, _PLACES
cdef frozenset _TONED
cdef bytes _JUNK_TABLE, _SLOPPY_CHARS
cdef Py_ssize_t _SLOPPY_LAST
cdef tuple _SYLLABLES, _KINH_BY_LENGTH, _MINORITY_BY_LENGTH
cdef Py_ssize_t _MEMO_LIMIT

@cython.locals(i=Py_ssize_t, n=Py_ssize_t, start=Py_ssize_t, table=dict, marks=frozenset, char=str, pair=str)
cdef object _vni_quiet(str text)
cdef tuple _char_tone(str char)
@cython.locals(i=Py_ssize_t, where=Py_ssize_t, marks=Py_ssize_t, char=Py_UCS4, lowered=str)
cpdef object _split_tone(str word)
@cython.locals(n=Py_ssize_t)
cdef list _initials(str toneless, bint minority)
cdef bint _known_syllable(str word, bint minority) except -1
@cython.locals(where=Py_ssize_t, toneless=str, tone=str, rhyme=str, initial=str, rhymes=frozenset,
               open_after=frozenset, clusters=frozenset)
cpdef bint _syllable(str word, bint minority) except -1
cdef bint _word_ok(str word) except -1
@cython.locals(k=Py_ssize_t, consonants=str)
cdef bint _compound(str word) except -1
@cython.locals(bad=Py_ssize_t, good=Py_ssize_t, junk=Py_ssize_t, common=Py_ssize_t, syllables=Py_ssize_t,
               words=Py_ssize_t, shouting=bint, ok=bint, upper=bint, usual=Py_ssize_t, syllable=bint, i=Py_ssize_t,
               n=Py_ssize_t, start=Py_ssize_t, wide=bint, first=bint, open_a=bint, pending=Py_ssize_t)
cdef tuple _stats(str text)
@cython.locals(junk=Py_ssize_t, code=Py_ssize_t, char=Py_UCS4, table=bytes)
cpdef Py_ssize_t _junk_count(str text) except -1
@cython.locals(code=Py_ssize_t)
cpdef bint _token_char(Py_UCS4 char) except -1
@cython.locals(words=Py_ssize_t, i=Py_ssize_t, n=Py_ssize_t, wide=bint)
cpdef Py_ssize_t _foreign_count(str text) except -1
@cython.locals(lower=str, ok=bint)
cdef tuple _word_info(str word)
cdef Py_ssize_t _usual(str word, str lower) except -1
@cython.locals(toneless=str, tone=str, where=Py_ssize_t, initial=str)
cdef bint _open_a(str word) except -1
cdef bint _minority_cell(str text) except -1
@cython.locals(char=Py_UCS4)
cdef bint _has_lower(str text) except -1
@cython.locals(char=Py_UCS4)
cdef bint _has_ascii_lower(str text) except -1
@cython.locals(char=Py_UCS4)
cdef bint _has_letter(str text) except -1
cdef bint _cased(str word) except -1
@cython.locals(toneless=str, tone=str, where=Py_ssize_t, initial=str, rhyme=str)
cdef bint _kinh_syllable(str word) except -1
@cython.locals(char=Py_UCS4)
cdef Py_ssize_t _word_kind(str word) except -1
@cython.locals(rare=Py_ssize_t, alien=Py_ssize_t, tones=Py_ssize_t, word=str, char=str, kind=object)
cpdef tuple marked(str text)
@cython.locals(mine=list, theirs=list, shouting=bint, count=Py_ssize_t, i=Py_ssize_t, ok=bint, upper=bint, usual=Py_ssize_t)
cpdef Py_ssize_t common_apart(str text, str other) except -1
cdef object _quiet_decode(bytes raw, str name)
cdef object _one_reading(str value, str name)
cdef dict _memo(str value)
cpdef object reading(str value, str name)
@cython.locals(stats=tuple, counts=tuple, kept=tuple, known=dict)
cpdef object scored(str value, str name)
cpdef dict scores_of(str value)
@cython.locals(code=Py_ssize_t, char=Py_UCS4, table=bytes)
cpdef bint has_junk(str text) except -1
cpdef bint legacy_looking(str value) except -1
cdef tuple _tally_one(object value, str encoding)
@cython.locals(valid=Py_ssize_t, total=Py_ssize_t, failed=Py_ssize_t, memo=dict)
cdef object _tally(object values, str encoding)
cdef object _detected_reading(object value, str encoding)
@cython.locals(code=Py_ssize_t, char=Py_UCS4, table=bytes, last=Py_ssize_t)
cdef bint _byte_chars(str text) except -1
cdef object _sloppy_encode(str text)
cdef object _text_view(object value)
cdef object _legacy_bytes(object value)
cdef object _quiet_candidate(object value, str encoding)
cdef Py_ssize_t _failed_words(object value) except -1
cdef tuple _source(str value)
cdef bint _is_ascii(object value) except -1
cpdef bint family_first(str text) except -1
