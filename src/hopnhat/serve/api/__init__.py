"""The JSON API for machines (bearer tokens): lookup, record data, the logged reveal of an identifier."""
