cimport cython

# Cython declarations for tokens.py (compiled by setup.py; ignored when the module runs as plain Python): the
# helpers called for every address become C functions of the module.

cdef class Token:
    cdef readonly str key
    cdef readonly str accented
    cdef readonly Py_ssize_t start
    cdef readonly Py_ssize_t end
    cdef readonly Py_ssize_t segment
    cdef readonly bint expanded
    cdef readonly Py_ssize_t part

@cython.locals(t=Token)
cdef Token _token(str key, str accented, Py_ssize_t start, Py_ssize_t end, Py_ssize_t segment, bint expanded,
                  Py_ssize_t part)
@cython.locals(tokens=list, part_base=Py_ssize_t, segment=Py_ssize_t, numbered=dict)
cdef list _tokens(object pieces)
@cython.locals(memo=dict)
cdef tuple _segment_words(object piece)
@cython.locals(t=Token)
cdef tuple _numbered_words(object piece, Py_ssize_t segment, Py_ssize_t part_base)
cdef object _remember(dict memo, object key, object value)
cdef tuple _piece_segments(str prepared)
cpdef str _type_first(object m)
@cython.locals(several=bint)
cpdef str _bracket_types(str segment)
@cython.locals(out=list, begin=Py_ssize_t, i=Py_ssize_t, c=Py_UCS4)
cpdef tuple _dash_breaks(str piece)
@cython.locals(folded_type=str, first=str)
cpdef bint _begins_with_type(str name, str type_) except -1
@cython.locals(n=Py_ssize_t, i=Py_ssize_t, start=Py_ssize_t, end=Py_ssize_t, part=Py_ssize_t, lower=str, word=str,
               folded=str, expanded=bint, roman=bint, apostrophes=bint, tokens=list)
cdef tuple _read_words(str piece)
@cython.locals(c=Py_UCS4)
cpdef bint _folds_by_word(str lower) except -1
@cython.locals(j=Py_ssize_t)
cdef Py_ssize_t _word_end(str text, Py_ssize_t i, Py_ssize_t n) except -2
@cython.locals(c=Py_UCS4)
cdef bint _is_break(str text, Py_ssize_t i, Py_ssize_t n) except -1
@cython.locals(t=Token, w=Token, n=Py_ssize_t, second=dict)
cpdef object type_entry(list words)
@cython.locals(a=Token, b=Token, size=Py_ssize_t)
cpdef bint ends_type_word(list tokens, Py_ssize_t pos) except -1
@cython.locals(a=Token, b=Token, t=Token, size=Py_ssize_t, first=Py_ssize_t, words=list)
cpdef object type_word_before(list tokens, Py_ssize_t pos)
@cython.locals(memo=dict, out=list)
cpdef list prepared_segments(str text)
cpdef list segment_tokens(object pieces)
@cython.locals(starts=list)
cpdef list segment_starts(object pieces)
cpdef str prepare(str text)
cdef list _expand(str word, str folded, Py_ssize_t start, Py_ssize_t end, Py_ssize_t segment, Py_ssize_t part,
                  bint loose)
@cython.locals(dotted=bint)
cdef bint _abbreviated(str text, Py_ssize_t start, Py_ssize_t end, str folded, list tokens, Py_ssize_t part) except -1
@cython.locals(out=list, lower_case=bint, i=Py_ssize_t, tok=Token, last=bint, named=bint, capital=bint)
cdef list _romans(str text, list tokens)
@cython.locals(out=list, i=Py_ssize_t, j=Py_ssize_t, tok=Token, closing=bint)
cdef list _closing_abbreviations(str text, list tokens)
