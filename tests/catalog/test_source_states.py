"""Legacy sources' cut-over states in the catalog: an append-only history (the latest applies), derived states for
sources without one, shown on the monitoring report; a catalog written before states were kept still opens."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb

from hopnhat.catalog.html import report_html
from hopnhat.catalog.model import SourceState
from hopnhat.catalog.monitor import source_views
from hopnhat.catalog.state import CatalogState
from hopnhat.catalog.store import add_source_state, connect, load_state
from hopnhat.catalog.views import monitor_page
from hopnhat.i18n import set_language


def _state(source: str, state: str, hour: int, by: str = "") -> SourceState:
    return SourceState(source=source, system_id="49-TTHC", state=state, at=datetime(2025, 7, 3, hour), by=by)


def test_history_is_kept_and_the_latest_applies(tmp_path: Path) -> None:
    db = tmp_path / "catalog.duckdb"
    with connect(db):
        pass
    add_source_state(db, _state("quangnam_tthc", "frozen", 9))
    add_source_state(db, _state("quangnam_tthc", "cut_over", 10, by="Nguyễn Văn A"))
    state = load_state(db)
    assert [s.state for s in state.source_states] == ["frozen", "cut_over"]
    latest = state.latest_source_states()["quangnam_tthc"]
    assert latest.state == "cut_over" and latest.by == "Nguyễn Văn A"


def test_sources_without_a_record_are_live_or_syncing() -> None:
    state = CatalogState(source_states=[_state("old_source", "cut_over", 8), _state("quangnam_tthc", "frozen", 9)])
    views = source_views(state, {"quangnam_tthc": ("49-TTHC", True), "danang_tthc": ("48-TTHC", True),
                                 "quangnam_dat_dai": ("49-CSDL-LAND", False)})
    assert [(v.source, v.state) for v in views] == [("quangnam_tthc", "frozen"), ("danang_tthc", "syncing"),
                                                    ("quangnam_dat_dai", "live"), ("old_source", "cut_over")]


def test_the_report_lists_the_sources() -> None:
    set_language("en")
    try:
        state = CatalogState(source_states=[_state("quangnam_tthc", "cut_over", 10, by="Trần Thị B")])
        page = monitor_page(state, date(2025, 7, 10), sources=source_views(state, {"quangnam_tthc": ("49-TTHC",
                                                                                                     True)}))
        html = report_html(page)
    finally:
        set_language(None)
    assert "Legacy sources: cut-over" in html and "cut over, read-only" in html and "Trần Thị B" in html
    assert "Legacy sources" not in report_html(monitor_page(state, date(2025, 7, 10)))


def test_a_catalog_from_before_source_states_still_opens(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    with connect(db):
        pass
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE source_states")
    con.close()
    assert load_state(db).source_states == []
    add_source_state(db, _state("quangnam_tthc", "frozen", 9))  # a write connection adds the table
    assert load_state(db).latest_source_states()["quangnam_tthc"].state == "frozen"
