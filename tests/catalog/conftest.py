from __future__ import annotations

from pathlib import Path

import pytest

from hopnhat.catalog import api
from hopnhat.catalog.importer import read_inventory
from hopnhat.catalog.model import Inventory
from hopnhat.i18n import set_language
from hopnhat.synth.inventory import SCENARIOS, write_inventory

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"
SURVIVOR = {name: sides[1].code for name, sides in SCENARIOS.items()}


@pytest.fixture(autouse=True)
def _vietnamese() -> None:
    set_language("vi")


@pytest.fixture(scope="session")
def synth_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    root = tmp_path_factory.mktemp("synth-inventories")
    return {name: write_inventory(name, 7, root / name) for name in SCENARIOS}


@pytest.fixture(scope="session")
def synth_inventories(synth_files: dict[str, list[Path]]) -> dict[str, list[Inventory]]:
    return {name: [read_inventory(p)[0] for p in paths] for name, paths in synth_files.items()}


def settings_file(tmp_path: Path, scenario: str, extra: str = "") -> Path:
    path = tmp_path / "merger.yaml"
    path.write_text(f'catalog:\n  survivor_unit: "{SURVIVOR[scenario]}"\n{extra}', encoding="utf-8")
    return path


@pytest.fixture
def danang_db(tmp_path: Path, synth_files: dict[str, list[Path]]) -> Path:
    """A store with the danang scenario imported, evaluated and planned."""
    db = tmp_path / "catalog.duckdb"
    api.import_files(db, synth_files["danang"])
    config = DATA / "merger.yaml"
    api.run_evaluate(db, config)
    api.run_plan(db, config)
    return db
