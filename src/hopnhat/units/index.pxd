# Cython declarations for index.py (compiled by setup.py; ignored when the module runs as plain Python): the memos
# the parser asks for every address are C functions, called as such by parse.py.

cimport cython

@cython.locals(found=str)
cpdef str name_key_of(str text)
@cython.locals(found=str)
cpdef str accent_key_of(str text)
@cython.locals(key=str, former=bint, keep=list)
cpdef list narrow_by_accents(list units, str written)
