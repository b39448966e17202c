"""The estate as the demo builds it (``SynthSettings(cursor=True)``: the register's events read by their
``ngay_cap_nhat``) lives two days (``synth --days``: new births, late scans, parents' names corrected — each written
row stamped), then a delta reads the events by their cursor: its books are the truth's and the store equals a
``--fresh`` reload of the same final estate."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from tests.pipeline.test_pipeline_delta import checksums as _checksums

from hopnhat.project.config import load_project
from hopnhat.run.runner import migrate
from hopnhat.synth import SynthSettings, generate
from hopnhat.synth.evolve import evolve, net_changes, read_changes

EVENTS = ("danang_dancu", "su_kien_ho_tich")


@pytest.mark.slow
def test_a_live_register_read_by_its_cursor(tmp_path: Path) -> None:
    out = tmp_path / "estate"
    generate(SynthSettings("danang", 0.002, 3, out, cursor=True))
    project = load_project(out / "merger.yaml")
    table = next(t for t in project.source(EVENTS[0]).tables if t.name == EVENTS[1])
    assert table.cursor == "ngay_cap_nhat"
    migrate(project, link=False, workers=1)
    evolve(out, 2)
    truth = net_changes(read_changes(out))["/".join(EVENTS)]
    assert truth["updated"] and truth["inserted"]  # corrections and new events both happened
    delta = next(c for c in migrate(project, link=False, workers=1).loaded if (c.source, c.table) == EVENTS)
    assert (delta.mode, delta.read_by) == ("delta", "cursor")
    assert (delta.inserted, delta.updated, delta.deleted) == \
        (len(truth["inserted"]), len(truth["updated"]), len(truth["deleted"]))
    assert delta.read == delta.unchanged + delta.inserted + delta.updated + delta.merged + delta.quarantined
    assert _fresh_reload_checksums(out, tmp_path / "fresh", workers=1) == _checksums(project)


@pytest.mark.slow
def test_the_independent_change_model_moves_the_cursor(tmp_path: Path) -> None:
    """bench/changes.py on the same estate (its own edits, corrected IDs and inserts, each stamped above every cursor
    value): the cursor delta sees exactly its truth, and the store equals a ``--fresh`` reload (side by side, two
    workers)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    import changes  # type: ignore[import-not-found,unused-ignore]  # bench/changes.py: nothing from hopnhat

    out = tmp_path / "estate"
    generate(SynthSettings("danang", 0.002, 3, out, cursor=True))
    project = load_project(out / "merger.yaml")
    migrate(project, link=False, workers=2)
    truth = changes.change_estate(out / "merger.yaml", 0.06, 3)["/".join(EVENTS)]
    assert truth.updated and truth.inserted and truth.deleted
    loaded = migrate(project, link=False, workers=2).loaded
    delta = next(c for c in loaded if (c.source, c.table) == EVENTS)
    assert (delta.mode, delta.read_by) == ("delta", "cursor")
    assert (delta.inserted, delta.deleted) == (len(truth.inserted), len(truth.deleted))
    # an edit that emptied a required field reloads its row into quarantine: not counted as updated
    assert 0 < delta.updated <= len(truth.updated) <= delta.updated + delta.quarantined
    assert delta.read == delta.unchanged + delta.inserted + delta.updated + delta.merged + delta.quarantined
    assert _fresh_reload_checksums(out, tmp_path / "fresh", workers=2) == _checksums(project)


def _fresh_reload_checksums(estate: Path, folder: Path, workers: int) -> dict[str, tuple[int, str]]:
    """The checksums of a ``--fresh`` reload of the estate's current sources, in a copy without its store."""
    shutil.copytree(estate, folder, ignore=shutil.ignore_patterns("*.duckdb*", "*-runs", "*-versions"))
    fresh = load_project(folder / "merger.yaml")
    migrate(fresh, fresh=True, link=False, workers=workers)
    return _checksums(fresh)
