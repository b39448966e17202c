# Cython declarations for bulk.py (compiled by setup.py; ignored when the module runs as plain Python).

cimport cython

from hopnhat.units.convert cimport invalid_reason
from hopnhat.units.parse cimport Parsed, parse_segments
from hopnhat.units.tokens cimport prepared_segments

cdef class _Suffixes:
    cdef public dict rows
    cdef public long long lengths
    cdef public dict raw
    cdef public dict decisions
    cdef public bint by_raw
    cdef public object idx
    cdef object _decided(self, Parsed parsed)
    cpdef object row(self, object value)
    @cython.locals(row=tuple, used=Py_ssize_t, ending=list)
    cpdef tuple entry(self, object value)
    @cython.locals(segments=list, pieces=tuple, rows=dict, count=Py_ssize_t, lead=Py_ssize_t, k=Py_ssize_t, first=Py_ssize_t,
                   whole=bint, parsed=Parsed)
    cdef tuple _row(self, str value)
    @cython.locals(pieces=tuple, rows=dict, count=Py_ssize_t, first=Py_ssize_t, parsed=Parsed)
    cdef object _ending_row(self, list ending)
    @cython.locals(bit=Py_ssize_t)
    cdef bint _may_hold(self, Py_ssize_t segments, bint whole) except -1
    @cython.locals(bit=Py_ssize_t)
    cdef void _keep(self, tuple key, tuple row) except *

cdef tuple _suffix_key(tuple segments, Py_ssize_t first, bint whole)
@cython.locals(n=Py_ssize_t, i=Py_ssize_t)
cpdef str _lstripped(str segment)
cdef tuple _ids(list units)
cdef tuple _decision_key(Parsed parsed)
@cython.locals(i=Py_ssize_t, segment=str)
cdef Py_ssize_t _first_worded(list segments) except -1
@cython.locals(pos=Py_ssize_t, found=Py_ssize_t, _=Py_ssize_t)
cpdef object raw_ending(str value)
@cython.locals(text=str, last=Py_ssize_t, begin=Py_ssize_t, end=Py_ssize_t)
cpdef str _last_piece(object value)
