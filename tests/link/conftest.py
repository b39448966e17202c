"""Fixtures: a small synth estate (Quảng Nam + Đà Nẵng), store tables built from its truth, linked stores.

Session fixtures are built once per worker; tests that change a store get their own copy of the file.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hopnhat.link import LinkOutcome, link_store, persons
from hopnhat.link.engine import Backend
from hopnhat.link.run import work_space
from hopnhat.link.truth import TruthStore, build_store
from hopnhat.project.config import LinkageSpec
from hopnhat.synth.generate import SynthSettings, generate

SCALE = 0.002  # ~3,800 person rows, ~90 organisations, ~1,400 parcels
BLIND_PEOPLE, BLIND_SEED = 20000, 7  # the blind population of the clerk-list tests (not the seed m was shipped from)


@dataclass
class Built:
    path: Path
    truth: TruthStore


@dataclass
class Linked:
    path: Path
    truth: TruthStore
    outcome: LinkOutcome


@pytest.fixture(scope="session")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("link-estate")
    generate(SynthSettings(scenario="danang", scale=SCALE, seed=1, out=out))
    return out


@pytest.fixture(scope="session")
def built(estate: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    path = tmp_path_factory.mktemp("link-store") / "store.duckdb"
    con = duckdb.connect(str(path))
    truth = build_store(con, estate)
    con.close()
    return Built(path, truth)


@pytest.fixture(scope="session")
def linked(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Linked:
    path = tmp_path_factory.mktemp("link-linked") / "store.duckdb"
    shutil.copy(built.path, path)
    con = duckdb.connect(str(path))
    outcome = link_store(con, LinkageSpec(), "run-1")
    con.close()
    return Linked(path, built.truth, outcome)


def copy_of(path: Path, dest: Path) -> duckdb.DuckDBPyConnection:
    """A connection to a private copy of a store file."""
    target = dest / "copy.duckdb"
    shutil.copy(path, target)
    return duckdb.connect(str(target))


@pytest.fixture
def store(built: Built, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = copy_of(built.path, tmp_path)
    yield con
    con.close()


@pytest.fixture
def linked_con(linked: Linked, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = copy_of(linked.path, tmp_path)
    yield con
    con.close()


def features_backend(built: Built) -> tuple[duckdb.DuckDBPyConnection, Backend, Any, int]:
    """A work space holding the estate's person features, its DuckDB backend, the features as Splink's input and the
    record count (close the backend, then the work space)."""
    con = duckdb.connect(str(built.path), read_only=True)
    work = work_space(2, None)
    n = persons.load_features(con, work)
    con.close()
    backend = Backend(work)
    return work, backend, backend.input("person_features"), n


def candidates_backend(built: Built) -> tuple[duckdb.DuckDBPyConnection, Backend, Any, Any, str]:
    """:func:`features_backend` with the person model trained on it (softened, as the pipeline scores): the work
    space, the backend, the features as Splink's input, the trained linker and the table of its candidate pairs."""
    from hopnhat.link.engine import _linker
    from hopnhat.link.training import train

    work, backend, source, n = features_backend(built)
    model = persons.soften(train(backend, source, persons.SPEC, n))
    linker = _linker(backend, source, model.settings)
    rules = [r if isinstance(r, str) else r["blocking_rule"]
             for r in model.settings["blocking_rules_to_generate_predictions"]]
    return work, backend, source, linker, backend.candidate_pairs("person_features", rules)


@pytest.fixture(scope="session")
def blind_population(tmp_path_factory: pytest.TempPathFactory) -> tuple[pa.Table, list[str]]:
    """The blind population (bench/blind, written apart from the linker), 20,000 people: the input and each record's
    person."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.blind.generate import generate as generate_blind

    out = tmp_path_factory.mktemp("blind")
    generate_blind(BLIND_PEOPLE, BLIND_SEED, out)
    return pq.read_table(out / "input.parquet"), pq.read_table(out / "truth.parquet").column("entity").to_pylist()
