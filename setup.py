"""Build hook: the hot modules of the address parser (a sixth fewer instructions per address, start-up included)
and of the legacy-text repair (its per-cell scoring) compiled by Cython.

Everything else about the package is in pyproject.toml. The compiled modules are the same Python source, compiled
as it is (type annotations are not enforced); when Cython or a C compiler is missing the build goes on and the
modules run as plain Python (also when ``HOPNHAT_PURE_PYTHON=1``: the install test builds that way, in seconds).
One module is Cython source with C types and has no plain Python form: link/firstpass_kernel.pyx (the scoring first
pass over millions of candidate pairs, :data:`REQUIRED`). It is built in every case, ``HOPNHAT_PURE_PYTHON=1``
included, and a build that cannot compile it fails (no C compiler: the install stops with the compiler's error),
rather than install a package whose ``hopnhat link persons`` would stop with a ConfigError naming it.
``make setup`` (scripts/setup.sh) rebuilds them in place when their source changes,
and the test run refuses a compiled module older than its source.
"""

import os

from setuptools import setup

COMPILED = [
    "src/hopnhat/text/normalize.py",
    "src/hopnhat/text/legacy.py",  # the legacy-text repair's per-cell scoring (hopnhat repair, migrate)
    "src/hopnhat/text/viqr.py",
    "src/hopnhat/repair/stage.py",
    "src/hopnhat/units/tokens.py",
    "src/hopnhat/units/fuzzy.py",
    "src/hopnhat/units/index.py",
    "src/hopnhat/units/parse.py",
    "src/hopnhat/units/convert.py",
    "src/hopnhat/units/bulk.py",
    "src/hopnhat/link/names.py",  # the person names table: each distinct name split (hopnhat link persons)
    "src/hopnhat/link/keystrokes.py",
]
REQUIRED = [
    "src/hopnhat/link/firstpass_kernel.pyx",  # the scoring first pass over the candidate pairs (link/firstpass.py)
    "src/hopnhat/link/keyjoin_kernel.pyx",  # blocking joins on keys, in the first pass (link/keyjoins.py)
]


def _extensions() -> list:
    from Cython.Build import cythonize  # a build requirement (pyproject.toml): REQUIRED cannot be built without it

    optional = [] if os.environ.get("HOPNHAT_PURE_PYTHON") == "1" else COMPILED
    extensions = cythonize(optional + REQUIRED, quiet=True, compiler_directives={
        "language_level": 3, "binding": True, "annotation_typing": False})
    for extension in extensions:
        if extension.name == "hopnhat.link.firstpass_kernel":  # its loop over the pairs runs on the run's threads
            extension.extra_compile_args = ["-fopenmp"]
            extension.extra_link_args = ["-fopenmp"]
        else:
            extension.optional = True  # no C compiler: the plain Python modules are used
    return extensions


setup(ext_modules=_extensions())
