"""Tables grouped into the merger file's sources: one a system folder and kind (a file alone at the top, a database
file with its tables), named by their folder, with the system their data says, the old province their folder names,
the small code lists beside a dossier table as its lookups, and the split-commune lists as evidence."""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hopnhat.i18n import tr
from hopnhat.scan.guess import Guess, Mapped, column_keys
from hopnhat.scan.sample import Sampled, slug

SYSTEMS = {  # the system a source's data says it is (the names of DESIGN §1)
    "person": "Hộ tịch - dân cư", "person_event": "Hộ tịch - dân cư",
    "dossier": "Hệ thống thông tin giải quyết TTHC", "dossier_history": "Hệ thống thông tin giải quyết TTHC",
    "organization": "Đăng ký doanh nghiệp", "parcel": "CSDL đất đai", "civil_servant": "CSDL cán bộ, công chức",
    "document": "Quản lý văn bản và điều hành",
}
_ADMIN_CODE = ("ma hanh chinh", "ma dvhc", "ma don vi hanh chinh", "ma xa", "ma tinh", "admin code")
EVIDENCE = {  # evidence key → the folded headers of its list
    "split_hamlets": ({"old commune code", "hamlet", "new commune code"}, {"ma xa cu", "thon", "ma xa moi"}),
    "split_map_sheets": ({"old commune code", "map sheet", "new commune code"}, {"ma xa cu", "to ban do", "ma xa moi"}),
}


@dataclass
class SourceDraft:
    name: str
    kind: str
    folder: Path
    tables: list[Guess] = field(default_factory=list)
    path: Path | None = None  # a database file
    province: str | None = None
    lookups: dict[str, dict[str, Any]] = field(default_factory=dict)
    unmapped_tables: list[Guess] = field(default_factory=list)

    @property
    def system(self) -> str:
        kinds = Counter(g.maps_to for g in self.tables if g.maps_to)
        return SYSTEMS[kinds.most_common(1)[0][0]] if kinds else self.name


def relative(path: Path, base: Path) -> str:
    """A path as merger.yaml writes it: relative to the merger file's folder, with ``/``."""
    return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()


def _group_key(root: Path, sampled: Sampled) -> tuple[str, ...]:
    folder = sampled.file.parent.relative_to(root).parts
    if sampled.kind == "sqlite" or not folder:
        return (*folder, sampled.file.stem, sampled.kind)
    return (*folder, "", sampled.kind)


def group(root: Path, guesses: list[Guess]) -> list[SourceDraft]:
    """Sources in path order; a folder holding mapped files of two kinds gives a source per kind (the kind named)."""
    grouped: dict[tuple[str, ...], list[Guess]] = defaultdict(list)
    for guess in guesses:
        grouped[_group_key(root, guess.sampled)].append(guess)
    kinds = Counter(key[:-1] for key, members in grouped.items() if any(g.maps_to for g in members))
    sources: list[SourceDraft] = []
    mapped_first = sorted(grouped.items(), key=lambda item: not any(g.maps_to for g in item[1]))  # (stable)
    for key, members in mapped_first:  # the names go to the sources written
        words = [w for w in key[:-1] if w] + ([key[-1]] if kinds[key[:-1]] > 1 else [])
        first = members[0].sampled
        source = SourceDraft(_unique(slug("_".join(words)), sources), key[-1], first.file.parent,
                             path=first.file if key[-1] == "sqlite" else None)
        source.tables = _named_apart([g for g in members if g.maps_to])
        source.unmapped_tables = [g for g in members if not g.maps_to]
        sources.append(source)
    return sorted(sources, key=lambda s: (s.folder, s.kind))


def _named_apart(tables: list[Guess]) -> list[Guess]:
    """Tables of one source under names of their own (``Nhân khẩu.csv`` and ``nhan_khau.csv`` → ``nhan_khau``,
    ``nhan_khau_2``)."""
    seen: set[str] = set()
    for guess in tables:
        name, n = guess.sampled.name, 1
        while guess.sampled.name in seen:
            n += 1
            guess.sampled.name = f"{name}_{n}"
        seen.add(guess.sampled.name)
    return tables


def _unique(name: str, sources: list[SourceDraft]) -> str:
    taken = {s.name for s in sources}
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}"
    return candidate


# --- lookups and evidence ------------------------------------------------------------------------------------------

def _code_list(guess: Guess) -> tuple[str, str] | None:
    """(key column, admin-code column) of a small CSV code list (``ma_don_vi`` … ``ma_hanh_chinh``), or None."""
    sampled = guess.sampled
    if sampled.kind != "csv" or len(sampled.columns) < 2:
        return None
    admin = next((c for c in sampled.columns if set(column_keys(sampled, c)) & set(_ADMIN_CODE)), None)
    key = sampled.columns[0]
    if admin is None or admin == key or len(set(sampled.values.get(key, []))) != sampled.rows:
        return None
    return key, admin


def attach_lookups(source: SourceDraft, sources: list[SourceDraft], base: Path) -> None:
    """A code list in a dossier table's folder whose keys name its receiving units becomes the source's lookup."""
    for unit_guess in [g for g in source.tables if "receiving_unit" in g.fields]:
        mapped = unit_guess.fields["receiving_unit"]
        units = set(unit_guess.sampled.values.get(mapped.columns[0], []))
        for owner in [s for s in sources if s.folder == source.folder]:
            for listed in list(owner.unmapped_tables):
                found = _code_list(listed)
                if found is None or not units & set(listed.sampled.values.get(found[0], [])):
                    continue
                name = listed.sampled.name
                source.lookups[name] = {"path": relative(listed.sampled.file, base), "key": found[0],
                                        "admin_code": found[1]}
                origin = {k: v for k, v in mapped.spec.items() if k in ("column", "json")}
                unit_guess.fields["receiving_unit"] = Mapped(origin | {"type": "text", "lookup": name},
                                                             mapped.columns)
                owner.unmapped_tables.remove(listed)
                return


def evidence_of(guess: Guess) -> str | None:
    """The evidence key (split_hamlets, split_map_sheets) whose list this table is, or None."""
    keys = {k for c in guess.sampled.columns for k in column_keys(guess.sampled, c)}
    return next((name for name, forms in EVIDENCE.items() if any(f <= keys for f in forms)), None)


# --- provinces -----------------------------------------------------------------------------------------------------

def province_of(folder: Path, root: Path, olds: dict[str, str]) -> str | None:
    """The old province a folder's name names (``quangnam``, ``Quang_Nam``, ``49``), or None."""
    from hopnhat.text.normalize import name_key

    for part in folder.relative_to(root).parts if folder != root else ():
        key = name_key(part.replace("_", " ").replace("-", " "))
        if key in olds:
            return olds[key]
    return None


def old_provinces() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(name key → old province code, old code → new code, new code → new name) from the shipped reference."""
    from hopnhat.units.reference import reference

    ref = reference()
    names = {key: u.code for u in ref.provinces["old"].values() for key in u.name_keys}
    names |= {u.code: u.code for u in ref.provinces["old"].values()}
    return names, dict(ref.province_map), {u.code: u.name for u in ref.provinces["new"].values()}


def merged_unit(provinces: set[str]) -> tuple[dict[str, Any], str | None]:
    """The merged unit the sources' old provinces went into, or a placeholder to fill in (with its check)."""
    _, to_new, new_names = old_provinces()
    news = {to_new.get(p) for p in provinces}
    if len(news) == 1 and None not in news:
        code = news.pop()
        assert code is not None
        return {"province_code": code, "name": new_names.get(code, code), "cutover": "2025-07-01",
                "old_provinces": sorted(provinces)}, None
    return ({"province_code": "00", "name": "?", "cutover": "2025-07-01", "old_provinces": sorted(provinces)},
            tr("không đoán được tỉnh mới từ tên thư mục: ghi mã và tên tỉnh mới",
               "the new province could not be told from the folder names: write its code and name"))


# --- attachments ---------------------------------------------------------------------------------------------------

ATTACHED = 0.5  # share of a column's sampled values that must name a file of the folder


@dataclass
class FilesDraft:
    """``files:`` of the merger file: per source, the folder its records' attachments are in and the columns naming
    them (relative to that folder)."""

    folders: dict[str, str] = field(default_factory=dict)
    columns: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def _named_files(folder: Path, documents: list[Path]) -> set[str]:
    return {d.relative_to(folder).as_posix() for d in documents if d.is_relative_to(folder)}


def _attached(guess: Guess, folder: Path, documents: list[Path]) -> list[str]:
    """The unmapped columns of a table whose values mostly name files under ``folder``."""
    names = _named_files(folder, documents)
    found = []
    for column in guess.unmapped:
        values = guess.sampled.values.get(column, [])
        if values and sum(v in names for v in values) >= max(1.0, ATTACHED * len(values)):
            found.append(column)
    return found


def attach_files(sources: list[SourceDraft], documents: list[Path], base: Path) -> FilesDraft:
    """A folder of documents under a source's folder whose names a table's column gives: that source's files."""
    drafted = FilesDraft()
    for source in sources:
        folders = sorted({d.parent for d in documents if d.is_relative_to(source.folder)})
        for folder in folders:
            for guess in source.tables:
                columns = _attached(guess, folder, documents)
                if not columns:
                    continue
                drafted.folders.setdefault(source.name, relative(folder, base))
                drafted.columns.setdefault(source.name, {})[guess.sampled.name] = columns
                guess.attachments = columns
                guess.unmapped = [c for c in guess.unmapped if c not in columns]
            if source.name in drafted.folders:
                break
    return drafted
