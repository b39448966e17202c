cimport cython

# Cython declarations for convert.py (compiled by setup.py; ignored when the module runs as plain Python): the check
# every address goes through is a C function, called as such by bulk.py.

cpdef object invalid_reason(object value)
@cython.locals(c=Py_UCS4, letter=bint)
cdef bint _plainly_valid(str value) except -1
