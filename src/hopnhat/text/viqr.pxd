# Cython declarations for viqr.py (compiled by setup.py; ignored when the module runs as plain Python): the reader
# runs over every plain-ASCII cell that has a mark after a vowel, so its helpers are C functions with C indexes.

cimport cython

cdef dict _SHAPE_OK
cdef frozenset _VOWELS, _ESCAPABLE
cdef str _VOWEL_CHARS, _ESCAPABLE_CHARS, _MARK_CHARS, _SPECIAL_CHARS
cdef dict _EVIDENCE

@cython.locals(after=str)
cdef object _grade(str text, Py_ssize_t i, Py_ssize_t j, bint shape, str tone)
@cython.locals(j=Py_ssize_t, shape=bint)
cdef tuple _vowel(str text, Py_ssize_t i, list out)
@cython.locals(i=Py_ssize_t, n=Py_ssize_t, start=Py_ssize_t, starts=bint, strong=Py_ssize_t, medium=Py_ssize_t, weak=Py_ssize_t,
               char=Py_UCS4, nxt=Py_UCS4, last=bint)
cpdef tuple parse(str text)
