# Cython declarations for parse.py (compiled by setup.py; ignored when the module runs as plain Python): the
# helpers called for every address become C functions of the module, so that calling them costs no Python call.

cimport cython

from hopnhat.units.index cimport accent_key_of, name_key_of, narrow_by_accents
from hopnhat.units.tokens cimport Token, ends_type_word, segment_starts, segment_tokens, type_entry, type_word_before

cdef class Match:
    cdef public list units
    cdef public Py_ssize_t start
    cdef public Py_ssize_t end
    cdef public str written
    cdef public bint typed
    cdef public bint fuzzy

cdef class Parsed:
    cdef public str text
    cdef public str rest
    cdef public Py_ssize_t first_segment
    cdef public bint exhausted
    cdef public list provinces
    cdef public list districts
    cdef public bint district_typed
    cdef public list old_communes
    cdef public list new_communes
    cdef public bint commune_outside_district
    cdef public list notes
    cdef public list doubts
    cdef public list doubt_units
    cdef public list doubt_communes
    cdef public bint read_to_start

@cython.locals(m=Match)
cdef Match _match(list units, Py_ssize_t start, Py_ssize_t end, str written, bint typed, bint fuzzy)

@cython.locals(first=Token, last=Token, base=Py_ssize_t)
cdef object _written(object text, list tokens, Py_ssize_t start, Py_ssize_t end)
cdef list _starts(object text, list tokens)
cdef object _parse_pieces(object text, object pieces, object idx)
cdef list _lookup(list indexes_, object key)
@cython.locals(t=Token, segment=Py_ssize_t, start=Py_ssize_t, key=str, out=list)
cdef list _keys_ending(list tokens, Py_ssize_t end, Py_ssize_t longest)
cdef object _accept(list tokens, Py_ssize_t start, object level)
cdef object _same_type(object units, object type_key, object written=*)
cdef object _current_first(list units, object key)
@cython.locals(t=Token, segment=Py_ssize_t, first=Py_ssize_t)
cdef bint _marked_from(list tokens, Py_ssize_t start) except -1
@cython.locals(t=Token, i=Py_ssize_t, seen=bint, marks=list)
cdef list _marks_after(list tokens)
@cython.locals(a=Token, b=Token)
cdef bint _inside_part(list tokens, Py_ssize_t start) except -1
cdef bint _contradicted(list units, object written, object type_key) except -1
cdef bint _has_marks(object written) except -1
cdef bint _named_as_written(list units, object written) except -1
cdef bint _formerly_typed(object unit, object type_key, object written=*) except -1
cdef list _scored(object hits, list scopes, object written_marked, object type_key)
@cython.locals(t=Token)
cdef object _leading_type(list tokens, Py_ssize_t start, Py_ssize_t end)
cdef bint _starts_with_type(list tokens, Py_ssize_t start, Py_ssize_t end) except -1
cdef bint _fuzzy_allowed(list tokens, Py_ssize_t start, object level, tuple accepted) except -1
@cython.locals(t=Token, segment=Py_ssize_t, first=Py_ssize_t, memo=dict)
cdef object _find(object text, list tokens, Py_ssize_t end, list scopes, object level, object idx, bint fuzzy,
                  bint narrow=*)
@cython.locals(t=Token, marks=bint)
cdef tuple _find_key(object text, list tokens, Py_ssize_t first, Py_ssize_t end, list scopes, object level, bint fuzzy,
                     bint narrow)
cdef tuple _in_districts(object idx, list districts)
@cython.locals(shifts=dict)
cdef object _shifted(Match match, Py_ssize_t by)
cdef dict _memo(object idx)
@cython.locals(t=Token, a=Token, end=Py_ssize_t)
cdef Py_ssize_t _strip_noise(list tokens) except -1
cdef object _scopes(object idx, list provinces)
cdef object _derived_from(object what, object scope, object build, object idx)
cdef void _note_fuzzy(Parsed parsed, Match match, object level) except *
@cython.locals(t=Token, parsed=Parsed, province=Match, end=Py_ssize_t)
cdef object _parse_tokens(object text, list tokens, object idx)
cdef bint _names_a_unit(list tokens, Match match, object idx) except -1
cdef object _district_scopes(object idx, object old_scope)
@cython.locals(district=Match)
cdef object _parse_old(Parsed parsed, object text, list tokens, Py_ssize_t end, object idx, object old_scope)
@cython.locals(commune=Match, scopes=list, numbered=list)
cdef Py_ssize_t _commune_in(Parsed parsed, object text, list tokens, Py_ssize_t end, object idx, object old_scope,
                            Match district) except? -1
@cython.locals(first=Py_ssize_t)
cdef object _unread_before(object text, list tokens, Py_ssize_t start)
cdef object _old_by_province(object idx, object old_scope)
cpdef object match_exact(object text, list tokens, Py_ssize_t end, list scopes, object level, Py_ssize_t max_words)
cpdef object match_numbered(object text, list tokens, Py_ssize_t end, object idx, list scopes)
cpdef object match_fuzzy(object text, list tokens, Py_ssize_t end, list scopes, object level, bint narrow=*)
cpdef object match_bare_number(object text, list tokens, Py_ssize_t end, object idx, list scopes)
cpdef Parsed parse_segments(object pieces, object idx)
