"""A small two-province legacy estate (synth, known truth), migrated once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hopnhat.project.config import Project, load_project
from hopnhat.run.runner import RunResult, migrate
from hopnhat.synth.generate import SynthSettings, generate


@pytest.fixture(scope="session")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("estate")
    generate(SynthSettings(scenario="danang", scale=0.002, seed=1, out=out))
    return out


def fresh_copy(estate: Path, dest: Path) -> Project:
    """A copy of the estate without any store, so each test owns its run."""
    shutil.copytree(estate, dest, ignore=shutil.ignore_patterns("*.duckdb*", "*-runs"))
    return load_project(dest / "merger.yaml")


def catalogued_estate(out: Path) -> Path:
    """A small estate migrated once (no linkage) with its catalog filled: inventory imported, evaluated, planned —
    what a cut-over needs (the roadmap task it closes, the source state it moves)."""
    from hopnhat.catalog import api

    generate(SynthSettings("danang", 0.001, 4, out))
    db = out / "catalog.duckdb"
    api.import_files(db, sorted(out.rglob("inventory-*.xlsx")))
    api.run_evaluate(db)
    api.run_plan(db)
    migrate(load_project(out / "merger.yaml"), link=False)
    return out


@pytest.fixture(scope="session")
def migrated(estate: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, RunResult]:
    project = fresh_copy(estate, tmp_path_factory.mktemp("run") / "estate")
    return project, migrate(project)


@pytest.fixture(scope="session")
def publish_dsn(postgres_dsn: str) -> str:
    """A database of its own on the test server, so other suites' tables never meet ours."""
    import psycopg

    with psycopg.connect(postgres_dsn, autocommit=True) as con:
        con.execute("DROP DATABASE IF EXISTS hopnhat_publish")
        con.execute("CREATE DATABASE hopnhat_publish")
    return postgres_dsn.rsplit("/", 1)[0] + "/hopnhat_publish"


@pytest.fixture
def second_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tables a run reads again after their load for their declared count (``reconcile.declared.scan_one``),
    by name, in order: the count the load's own read gave needs none."""
    from hopnhat.ingest.count import Declared
    from hopnhat.project.config import SourceSpec, TableSpec
    from hopnhat.reconcile import declared

    reads: list[str] = []
    real = declared.scan_one

    def scan_one(project: Project, source: SourceSpec, table: TableSpec) -> Declared:
        reads.append(table.name)
        return real(project, source, table)

    monkeypatch.setattr(declared, "scan_one", scan_one)
    return reads
