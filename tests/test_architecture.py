"""The import graph follows the data flow: no arrow runs back up a stage, and no two modules import each other.

Every ``import`` of every module under ``src/hopnhat`` counts, also those inside functions (a lazy import is still an
arrow) and those only for type checking. A module may import its own package and the layers below its own:

    0  base, errors, i18n, text, values, io     what every stage may use
    1  project, model                           the merger file, the unified model
    2  ingest → 3 repair → 4 units → 5 map → 6 link → 7 load → 8 reconcile → 9 run → 10 serve

``units`` sits below ``map`` because it is the library the map stage calls (reference tables, the address parser);
``reconcile`` below ``run`` because the run closes its books; ``load`` holds what the run and the web app share (the
store interface, the lookup-index build, the review outbox); ``files`` beside ``load`` (the files records reference,
read once into a content-addressed store). Beside the flow: ``catalog`` (imports only layer 0; any
stage may read it), ``synth`` (layer 0, ``model``, the public reference tables ``units.reference`` and the catalog's
inventory format; nothing of the pipeline), ``scan`` (``hopnhat init --scan``: drafts a merger file with the ingest
readers, the repair engine's detection, the header lists of ``link.headers`` and the reference's provinces; nothing
imports it but ``cli`` and ``demo``), and on top ``demo`` and ``cli`` (``cli`` may call ``demo``, not back).

Inside ``serve`` the subpackages follow a request (``SERVE_LAYERS``): the app's settings and database → ``security``
→ ``search`` → ``pagedata`` → the request plumbing (``app.context``, ``app.deps``, ``app.openapi``) → ``views`` and
``api`` → the app factory.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

LAYERS: dict[str, int] = {
    "base": 0, "errors": 0, "i18n": 0, "text": 0, "values": 0, "io": 0,
    "project": 1, "model": 1,
    "ingest": 2, "repair": 3, "units": 4, "map": 5, "link": 6, "load": 7, "reconcile": 8, "run": 9, "serve": 10,
    "files": 7,  # the load of files (content-addressed store, ledger), beside load; run may call it
}
BESIDE: dict[str, set[str]] = {  # package → what else it may import besides layer 0 and itself
    "catalog": set(),
    "synth": {"model", "catalog", "units.reference"},
    "scan": {"project", "model", "ingest", "repair", "units.reference", "link.headers"},
    "demo": set(LAYERS) | {"catalog", "synth", "scan"},
    "cli": set(LAYERS) | {"catalog", "synth", "demo", "scan"},
    "__main__": {"cli"},
    "": set(),  # hopnhat/__init__.py
}


def module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(base: str, names: list[str], modules: set[str]) -> Iterator[str]:
    """``from base import a, b``: the submodules a and b when they are modules, else base itself."""
    for name in names:
        yield f"{base}.{name}" if f"{base}.{name}" in modules else base


def imports(path: Path, src: Path, modules: set[str]) -> Iterator[tuple[str, int]]:
    """(imported hopnhat module, line) for every import in the file, at any depth."""
    me = module_name(path, src)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "hopnhat":
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            if base.split(".")[0] == "hopnhat":
                for target in _resolve(base, [a.name for a in node.names], modules):
                    yield target, node.lineno


@cache
def graph(src: Path = SRC) -> dict[str, dict[str, int]]:
    """module → {imported module: first line}, over the hopnhat package under ``src``."""
    files = {module_name(p, src): p for p in sorted((src / "hopnhat").rglob("*.py"))}
    # Cython sources (link/firstpass_kernel.pyx) are modules too, importing no hopnhat module (they cimport C only):
    # without them ``from hopnhat.link.firstpass_kernel import …`` would read as an import of the package
    compiled = {module_name(p, src) for p in (src / "hopnhat").rglob("*.pyx")}
    modules = set(files) | compiled
    out: dict[str, dict[str, int]] = {name: {} for name in sorted(compiled)}
    for name, path in files.items():
        edges = out.setdefault(name, {})
        for target, line in imports(path, src, modules):
            while target not in modules and "." in target:  # ``import hopnhat.x.y`` of a name inside a module
                target = target.rpartition(".")[0]
            if target != name:
                edges.setdefault(target, line)
    return out


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def allowed(importer: str, imported: str) -> bool:
    mine, theirs = _package(importer), _package(imported)
    if mine == theirs or theirs == "" or LAYERS.get(theirs) == 0:
        return True
    if mine in LAYERS:
        return theirs == "catalog" or (theirs in LAYERS and LAYERS[theirs] <= LAYERS[mine])
    allowed_here = BESIDE[mine]
    return theirs in allowed_here or imported.removeprefix("hopnhat.") in allowed_here


def arrows_against_the_flow(src: Path = SRC) -> list[str]:
    return [f"{a} → {b} (line {line})" for a, edges in sorted(graph(src).items())
            for b, line in sorted(edges.items()) if not allowed(a, b)]


def cycles(src: Path = SRC) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    g = {a: sorted(edges) for a, edges in graph(src).items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(g):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = g.get(node, [])
            if i < len(targets):
                work.append((node, i + 1))
                nxt = targets[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def test_every_package_has_a_place():
    packages = {_package(m) for m in graph()}
    assert packages <= set(LAYERS) | set(BESIDE), packages - set(LAYERS) - set(BESIDE)


def test_no_arrow_against_the_data_flow():
    assert arrows_against_the_flow() == []


def test_no_import_cycle():
    assert cycles() == []


# Inside the web app, the order a request meets its parts: the app's foundations, who may see what, the lookup, the
# pages' data, the request plumbing, the pages and the API, and the app that mounts them.
SERVE_LAYERS: dict[str, int] = {
    "app.settings": 0, "app.appdb": 0, "app.versioned": 0,
    "security": 1, "search": 2, "pagedata": 3,
    "app.context": 4, "app.deps": 4, "app.openapi": 4,
    "views": 5, "api": 5,
    "app.factory": 6, "app.background": 6,
}


def serve_layer(module: str) -> int | None:
    """The layer of a ``hopnhat.serve`` module (its longest listed prefix), None for a package's own ``__init__``."""
    rest = module.removeprefix("hopnhat.serve").lstrip(".")
    parts = rest.split(".") if rest else []
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in SERVE_LAYERS:
            return SERVE_LAYERS[".".join(parts[:n])]
    return None


def serve_arrows_against_the_request(src: Path = SRC) -> list[str]:
    out = []
    for a, edges in sorted(graph(src).items()):
        for b, line in sorted(edges.items()):
            la, lb = serve_layer(a), serve_layer(b)
            if la is not None and lb is not None and lb > la:
                out.append(f"{a} → {b} (line {line})")
    return out


def test_every_serve_module_has_a_place():
    modules = [m for m in graph() if m.startswith("hopnhat.serve.") and m.count(".") > 2]
    assert [m for m in modules if serve_layer(m) is None] == []


def test_serve_imports_follow_the_request():
    """A page never reaches into the app factory, the lookup never into the pages, security never into the lookup."""
    assert serve_arrows_against_the_request() == []


def test_the_checker_sees_an_arrow_against_the_request(tmp_path: Path) -> None:
    for folder in ("serve", "serve/security", "serve/views"):
        (tmp_path / "hopnhat" / folder).mkdir(parents=True)
        (tmp_path / "hopnhat" / folder / "__init__.py").write_text("")
    (tmp_path / "hopnhat" / "__init__.py").write_text("")
    (tmp_path / "hopnhat" / "serve" / "views" / "review.py").write_text("")
    (tmp_path / "hopnhat" / "serve" / "security" / "roles.py").write_text(
        "def f():\n    from hopnhat.serve.views import review\n")
    assert serve_arrows_against_the_request(tmp_path) == [
        "hopnhat.serve.security.roles → hopnhat.serve.views.review (line 2)"]


@pytest.mark.parametrize("source, expected", [
    ("from hopnhat.serve.review import apply_pending\n", "hopnhat.run.bad → hopnhat.serve.review"),
    ("def f():\n    from hopnhat.cli import main\n", "hopnhat.run.bad → hopnhat.cli.main"),
])
def test_the_checker_sees_lazy_and_upward_imports(tmp_path: Path, source: str, expected: str) -> None:
    """The checker itself: an upward import inside a function is found, with its line."""
    for folder in ("run", "serve", "cli"):
        (tmp_path / "hopnhat" / folder).mkdir(parents=True)
        (tmp_path / "hopnhat" / folder / "__init__.py").write_text("")
    (tmp_path / "hopnhat" / "__init__.py").write_text("")
    (tmp_path / "hopnhat" / "serve" / "review.py").write_text("")
    (tmp_path / "hopnhat" / "cli" / "main.py").write_text("")
    (tmp_path / "hopnhat" / "run" / "bad.py").write_text(source)
    assert [a.split(" (")[0] for a in arrows_against_the_flow(tmp_path)] == [expected]


def test_the_checker_sees_a_cycle_hidden_in_functions(tmp_path: Path) -> None:
    (tmp_path / "hopnhat" / "units").mkdir(parents=True)
    for name in ("__init__", ):
        (tmp_path / "hopnhat" / f"{name}.py").write_text("")
        (tmp_path / "hopnhat" / "units" / f"{name}.py").write_text("")
    (tmp_path / "hopnhat" / "units" / "a.py").write_text("def f():\n    from hopnhat.units import b\n")
    (tmp_path / "hopnhat" / "units" / "b.py").write_text("from hopnhat.units.a import f\n")
    assert cycles(tmp_path) == [["hopnhat.units.a", "hopnhat.units.b"]]
