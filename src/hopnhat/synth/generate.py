"""``generate``: one call that writes a whole legacy estate, its truth and its merger file.

Layout: ``OUT/estate/`` (what the pipeline reads), ``OUT/truth/`` (never read by the pipeline), ``OUT/merger.yaml``.
Same settings → byte-identical files (seeded generators, fixed order, no timestamps).
"""

from __future__ import annotations

import csv
import json
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hopnhat.synth.addresses import split_assignment
from hopnhat.synth.businesses import write_businesses
from hopnhat.synth.civil_servants import write_civil_servants
from hopnhat.synth.db import PostgresSink, SqliteSink, safe_dsn
from hopnhat.synth.determinism import normalize_xlsx
from hopnhat.synth.digitisation import write_digitisation
from hopnhat.synth.documents import DOCUMENTS, Form, write_documents
from hopnhat.synth.dossiers import NATIONAL_STATUS, STAGE_TO_NATIONAL, VOCABULARIES, DossierWriter
from hopnhat.synth.inventory import write_inventory
from hopnhat.synth.merger import write_merger
from hopnhat.synth.parcels import split_map_sheets, write_parcels
from hopnhat.synth.people import Assignment
from hopnhat.synth.population import Population, build_population, old_province_codes
from hopnhat.synth.register import Register, write_register
from hopnhat.synth.scenarios import Scenario, scaled, scenario
from hopnhat.synth.sinks import TruthSink
from hopnhat.synth.tables import Table, TableInfo

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]  # (task, total, advance)


@dataclass(frozen=True)
class SynthSettings:
    scenario: str = "danang"
    scale: float = 0.001
    seed: int = 1
    out: Path = Path("estate-out")
    dsn: str | None = None
    cursor: bool = False  # merger.yaml reads the register's events by their cursor column (ngay_cap_nhat)


@dataclass
class SynthResult:
    out: Path
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t["rows"] for t in self.tables.values())


def _noop(task: str, total: int, advance: int) -> None:
    return None


def _reset(out: Path) -> None:
    for sub in ("estate", "truth"):
        shutil.rmtree(out / sub, ignore_errors=True)
    (out / "merger.yaml").unlink(missing_ok=True)
    (out / "estate").mkdir(parents=True)
    (out / "truth").mkdir(parents=True)


def _write_evidence(out: Path, assignment: Assignment, pops: tuple[Population, Population]) -> None:
    with (out / "estate" / "split_hamlets.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["old_commune_code", "hamlet", "new_commune_code"])
        w.writerows(sorted((c, h, n) for (c, h), n in assignment.items()))
    with (out / "estate" / "split_map_sheets.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["old_commune_code", "map_sheet", "new_commune_code"])
        w.writerows(sorted(row for p in pops for row in split_map_sheets(p, assignment)))


def _write_entities(out: Path, pop: Population, progress: Progress) -> None:
    sink = TruthSink(out / "truth" / pop.side.slug / "persons.csv",
                     ["entity", "full_name", "birth_date", "sex", "cccd", "cmnd", "birth_province", "home_old_commune"])
    codes = old_province_codes()
    for i in range(len(pop)):
        sink.write([pop.entity_id(i), pop.name(i), pop.birth(i).isoformat(), pop.sex(i), pop.cccd(i), pop.cmnd(i),
                    codes[int(pop.birth_province[i])], pop.communes[int(pop.commune[i])].code])
    sink.close()
    progress(f"truth:{pop.side.slug}", len(pop), len(pop))


def _register(s: SynthSettings, scn: Scenario, pops: tuple[Population, Population], assignment: Assignment,
              progress: Progress) -> tuple[list[tuple[str, Table]], dict[str, str], dict[str, Any] | None]:
    out = s.out
    tables: list[tuple[str, Table]] = []
    encodings: dict[str, str] = {}
    db_doc: dict[str, Any] | None = None
    for k, pop in enumerate(pops):
        partner = pops[1 - k]
        reg = Register(pop, partner, assignment, s.seed, out / "estate", out / "truth")
        if pop.side.register_in_db:
            if s.dsn:
                schema = f"dancu_{pop.side.slug}"
                reg.db = PostgresSink(s.dsn, schema)
                db_doc = {"kind": "postgresql", "dsn": safe_dsn(s.dsn), "schema": schema,
                          "password_env": "PGPASSWORD"}
            else:
                reg.db = SqliteSink(out / "estate" / pop.side.slug / "dancu.sqlite")
        written = write_register(reg, _step(progress, f"register:{pop.side.slug}", len(pop)))
        tables += [(pop.side.slug, t) for t in written]
        if reg.db is not None:
            reg.db.close()
        encodings.update(reg.encodings)
    return tables, encodings, db_doc


def _step(progress: Progress, task: str, total: int) -> Callable[[int], None]:
    """One writer's progress callback: ``n`` more rows of ``task`` written."""
    return lambda n: progress(task, total, n)


def _dossiers(s: SynthSettings, pops: tuple[Population, Population],
              progress: Progress) -> list[tuple[str, TableInfo, dict[str, int]]]:
    infos: list[tuple[str, TableInfo, dict[str, int]]] = []
    for vendor, pop in zip(("absorbed", "survivor"), pops):
        total = scaled(pop.side.dossiers, s.scale)
        writer = DossierWriter(pop, vendor, total, s.seed, s.out / "estate", s.out / "truth")
        writer.write_units()
        writer.run(_step(progress, f"dossiers:{pop.side.slug}", total))
        infos.append((pop.side.slug, writer.info, {"in_flight": writer.in_flight, "overdue_in_flight": writer.overdue}))
    return infos


def _status_truth(out: Path) -> None:
    sink = TruthSink(out / "truth" / "tthc_status_map.csv", ["vendor", "local_status", "national_code",
                                                              "national_name"])
    for vendor, vocab in sorted(VOCABULARIES.items()):
        for stage, local in vocab.items():
            code = STAGE_TO_NATIONAL[stage]
            sink.write([vendor, local, code, NATIONAL_STATUS[code]])
    sink.close()


def _inventory(s: SynthSettings) -> list[Path]:
    paths = list(write_inventory(s.scenario, s.seed, s.out / "estate" / "inventory"))
    for p in paths:
        if p.suffix == ".xlsx":
            normalize_xlsx(p)
    return paths


def generate(settings: SynthSettings, progress: Progress = _noop) -> SynthResult:
    """Write the estate, the truth and ``merger.yaml`` under ``settings.out``."""
    s, scn = settings, scenario(settings.scenario)
    _reset(s.out)
    result = SynthResult(s.out)
    assignment = split_assignment((scn.absorbed.code, scn.survivor.code), s.seed)
    pops = (build_population(scn.absorbed, scn.survivor.code, scaled(scn.absorbed.persons, s.scale, 50), s.seed),
            build_population(scn.survivor, scn.absorbed.code, scaled(scn.survivor.persons, s.scale, 50), s.seed))
    _write_evidence(s.out, assignment, pops)
    for pop in pops:
        _write_entities(s.out, pop, progress)
    tables, encodings, db_doc = _register(s, scn, pops, assignment, progress)
    for slug, t in tables:
        _record(result, slug, t.info, {"DbTable": "database", "FoxProTable": "dbf"}.get(type(t).__name__, "csv"))
    for slug, info, extra in _dossiers(s, pops, progress):
        _record(result, slug, info, "ndjson", extra)
    businesses = write_businesses(pops, s.scale, s.seed, s.out / "estate", s.out / "truth")
    for pop, t in zip(pops, businesses):
        _record(result, pop.side.slug, t.info, "csv")
    for pop in pops:
        slug = pop.side.slug
        _record(result, slug, write_parcels(pop, assignment, s.seed, s.out / "estate", s.out / "truth").info, "csv")
        _record(result, slug, write_civil_servants(pop, s.seed, s.out / "estate", s.out / "truth"), "excel")
        write_digitisation(pop, s.seed, s.out / "estate")
        form: Form = "xml" if pop is pops[0] else "json"
        write_documents(pop, s.seed, s.out / "estate", form, DOCUMENTS)
        _record(result, slug, TableInfo("van_ban", "van_ban", "so_ky_hieu", [], rows=DOCUMENTS), form)
        progress(f"other:{pop.side.slug}", 1, 1)
    _status_truth(s.out)
    result.files += _inventory(s)
    write_merger(s.out / "merger.yaml", scn, s.scale, s.seed, db_doc, encodings, s.cursor)
    _write_summary(s, scn, result, pops)
    return result




def _record(result: SynthResult, slug: str, info: Any, kind: str, extra: dict[str, Any] | None = None) -> None:
    key = f"{slug}/{info.system}/{info.name}"
    result.tables[key] = {"kind": kind, "rows": info.rows, "defects": dict(sorted(info.defects.items())),
                          **(extra or {})}


def _write_summary(s: SynthSettings, scn: Scenario, result: SynthResult, pops: tuple[Population, ...]) -> None:
    summary = {"scenario": scn.name, "scale": s.scale, "seed": s.seed,
               "persons": {p.side.slug: len(p) for p in pops}, "tables": result.tables}
    (s.out / "truth" / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1, sort_keys=True),
                                                  encoding="utf-8")
