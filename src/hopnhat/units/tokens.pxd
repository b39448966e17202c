# Cython declarations for tokens.py (compiled by setup.py; ignored when the module runs as plain Python): the
# helpers called for every address become C functions of the module.

cdef list _tokens(object pieces)
cdef tuple _segment_words(object piece)
cdef tuple _numbered_words(object piece, Py_ssize_t segment, Py_ssize_t part_base)
cdef object _remember(dict memo, object key, object value)
