"""A cut-over's folder beside the store (``<store>-cutovers/<source>/``): what each step reached, so a cut-over
killed at any point is resumed by running it again.

``freeze.json`` (the snapshot and when it was taken), ``steps.json`` (each finished step and what it recorded),
``report.json`` and ``report.html`` (the signed report), ``refused.jsonl`` (every refusal, with its reasons). A
freeze broken by a change of the source is moved aside (``freeze-refused-N.json``): the next cut-over freezes anew.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from hopnhat.io.outputs import write_bytes
from hopnhat.project.config import Project


def cutover_dir(project: Project, source: str) -> Path:
    store = project.store_path
    return store.parent / f"{store.stem}-cutovers" / source


class Folder:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.steps: dict[str, dict[str, Any]] = self.read("steps.json") or {}

    def read(self, name: str) -> dict[str, Any] | None:
        p = self.path / name
        return json.loads(p.read_text(encoding="utf-8")) if p.exists() else None

    def write(self, name: str, doc: dict[str, Any]) -> Path:
        path = self.path / name
        write_bytes(path, json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True, default=str).encode("utf-8"))
        return path

    def write_text(self, name: str, text: str) -> Path:
        path = self.path / name
        write_bytes(path, text.encode("utf-8"))
        return path

    def done(self, step: str) -> bool:
        return step in self.steps

    def mark(self, step: str, **info: Any) -> None:
        self.steps[step] = {**info, "at": datetime.now().isoformat(timespec="seconds")}
        self.write("steps.json", self.steps)

    def refused(self, reasons: list[str], unfreeze: bool) -> None:
        """Keep the refusal; with ``unfreeze`` the freeze is moved aside and the steps start again."""
        with (self.path / "refused.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"at": datetime.now().isoformat(timespec="seconds"), "reasons": reasons,
                                 "unfrozen": unfreeze}, ensure_ascii=False) + "\n")
        if unfreeze:
            n = len(list(self.path.glob("freeze-refused-*.json"))) + 1
            (self.path / "freeze.json").replace(self.path / f"freeze-refused-{n}.json")
            (self.path / "steps.json").unlink(missing_ok=True)
            self.steps = {}
