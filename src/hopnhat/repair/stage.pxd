# Cython declarations for stage.py (compiled by setup.py; ignored when the module runs as plain Python): the helpers
# called for every distinct cell of a column become C functions of the module.

cimport cython
from hopnhat.text.legacy cimport common_apart, family_first, has_junk, legacy_looking, marked, reading, scored, scores_of

cdef dict _WORDS_OF, _SORTED

@cython.locals(found=bint, key0=Py_ssize_t, key1=Py_ssize_t, key2=Py_ssize_t, place=Py_ssize_t, r0=Py_ssize_t,
               r1=Py_ssize_t, r2=Py_ssize_t, where=Py_ssize_t, rank=tuple, entry=tuple)
cdef str _best(str cell, dict memo, dict options, str column, bint flawless, tuple others, dict order)
@cython.locals(plans=dict, memo=dict, own=tuple, flawless=bint, plan=tuple, options=dict, stays=frozenset, rank=tuple, mine=tuple,
               order=dict, others=tuple, best=str, column=str, shown=tuple)
cdef object _decide(object engine, str cell)
cdef str _family(str encoding)
@cython.locals(char=Py_UCS4)
cdef bint _plain(str cell) except -1
cdef list _syllables(str text)
@cython.locals(hits=Py_ssize_t)
cdef Py_ssize_t _hits(frozenset words, str text) except -1
cdef object _reading(str text, str kind, object problem=*)
@cython.locals(names=list, rank=tuple, most=Py_ssize_t, hits=Py_ssize_t)
cdef str _familiar(frozenset words, frozenset present, dict options, str chosen, object shown=*)
@cython.locals(names=list, rank=tuple, other=tuple, tie=tuple)
cdef str _family_reading(dict options, frozenset present, str chosen)
@cython.locals(rank=tuple, least=object, key=tuple, entry=tuple, text=str)
cdef str _least_marked(dict options, str chosen, object used=*, frozenset unused=*, bint tables_first=*)
@cython.locals(rank=tuple, entry=tuple, tie=tuple, key=object, mine=tuple)
cdef str _used_instead(dict options, str best, frozenset unused, dict order)
@cython.locals(small=Py_ssize_t, words=Py_ssize_t, lead=bint, word=str, first=str)
cpdef Py_ssize_t _small_among_capitals(str text) except -1
@cython.locals(other=Py_ssize_t)
cdef tuple _mark(dict options, str name, object used, frozenset unused, bint tables_first=*)
