# Cython declarations for bulk.py (compiled by setup.py; ignored when the module runs as plain Python).

cimport cython

@cython.locals(pos=Py_ssize_t, found=Py_ssize_t, _=Py_ssize_t)
cpdef object raw_ending(str value)
