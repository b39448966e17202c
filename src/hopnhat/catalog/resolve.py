"""What people type to name a system or a role, resolved to the catalog's keys — or a clear error listing the choices.

A system may be named by its province-qualified key (``49-TTHC``, ``49-1``), by province and id (``49/1``, ``49:1``,
``49 1``), by its id alone when only one province uses it, or by its name (case, spacing and diacritics forgiven). A
role (a pair of systems) by its code (``tthc``, ``specialised:civilstatus``), its Vietnamese or English name
(``Hệ thống thông tin giải quyết TTHC``, ``Civil status``, ``hộ tịch``), or a province's own domain name.
"""

from __future__ import annotations

import re

from hopnhat.catalog import kinds
from hopnhat.catalog.errors import CatalogError
from hopnhat.catalog.model import System
from hopnhat.catalog.pairing import Pair
from hopnhat.catalog.settings import CatalogSettings
from hopnhat.catalog.state import CatalogState
from hopnhat.i18n import tr
from hopnhat.text.normalize import name_key, nfc

_QUALIFIED = re.compile(r"\s*(\d{1,2})\s*[/:\s]\s*(\S.*)")


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", nfc(text).strip().casefold())


def system_choices(state: CatalogState) -> str:
    return "; ".join(f"{key} ({s.name})" for key, s in state.systems.items())


def role_choices(state: CatalogState) -> str:
    return "; ".join(f"{p.key} ({p.title})" for p in state.pairs)


def find_systems(state: CatalogState, typed: str) -> list[System]:
    """Every system the text can mean, best kind of match first (key, province + id, id, name)."""
    systems = list(state.systems.values())
    folded = _fold(typed)
    hits = [s for s in systems if _fold(s.key) == folded]
    match = _QUALIFIED.fullmatch(typed)
    if not hits and match:
        unit, sid = match.group(1).zfill(2), _fold(match.group(2))
        hits = [s for s in systems if s.unit_code == unit and _fold(s.id) == sid]
    if not hits:
        hits = [s for s in systems if _fold(s.id) == folded]
    if not hits and name_key(typed):
        hits = [s for s in systems if name_key(s.name) == name_key(typed)]
    return hits


def _unknown(state: CatalogState, typed: str, what_vi: str, what_en: str, roles: bool) -> CatalogError:
    choices = (tr("vai trò: ", "roles: ") + role_choices(state) + " | " if roles else "")
    choices += tr("hệ thống: ", "systems: ") + system_choices(state)
    return CatalogError(tr(f"không biết {what_vi} «{typed}»", f"unknown {what_en} '{typed}'"), value=typed,
                        reason=tr("các lựa chọn: ", "the choices: ") + choices,
                        hint=tr("ghi một vai trò hoặc một hệ thống trong danh sách trên (tên, mã, hoặc tỉnh-mã)",
                                "give a role or a system listed above (name, id, or province-id)"))


def resolve_system(state: CatalogState, typed: str) -> System:
    """The one system ``typed`` names; an unknown or ambiguous name is an error listing the choices."""
    hits = find_systems(state, typed)
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise _unknown(state, typed, "hệ thống", "system", roles=False)
    listed = "; ".join(f"{s.key} ({s.name}, {state.unit_name(s.unit_code)})" for s in hits)
    raise CatalogError(tr(f"«{typed}» chỉ nhiều hệ thống (ở các tỉnh khác nhau)",
                          f"'{typed}' names several systems (in different provinces)"),
                       value=typed, reason=listed, hint=tr(f"ghi kèm mã tỉnh, ví dụ {hits[0].key}",
                                                           f"add the province code, e.g. {hits[0].key}"))


def find_role(state: CatalogState, typed: str) -> Pair | None:
    pairs = {p.key: p for p in state.pairs}
    folded, key = _fold(typed), name_key(typed)
    candidates = [folded]
    kind = kinds.code_of("kind", typed)
    if kind and kind != "specialised":
        candidates.append(kind)
    domain = kinds.code_of("domain", typed) or typed
    candidates.append(f"specialised:{name_key(domain)}")
    for c in candidates:
        if c in pairs:
            return pairs[c]
    return next((p for p in pairs.values() if key and name_key(p.title) == key), None)


def resolve_why(state: CatalogState, typed: str) -> tuple[Pair, System | None]:
    """The role to explain for ``--why``: a role, or the role of the system named; unknown → error with choices."""
    role = find_role(state, typed)
    if role is not None:
        return role, None
    hits = find_systems(state, typed)
    if not hits:
        raise _unknown(state, typed, "vai trò hay hệ thống", "role or system", roles=True)
    system = resolve_system(state, typed)
    pair = next(p for p in state.pairs if any(s.key == system.key for s in p.systems))
    return pair, system


def resolve_settings(settings: CatalogSettings, state: CatalogState, source: str | None = None) -> CatalogSettings:
    """Settings whose owners and overrides name systems and roles by the catalog's keys (errors name the entry)."""
    owners: dict[str, str] = {}
    for typed, owner in settings.owners.items():
        if typed == "default":
            owners[typed] = owner
            continue
        role = find_role(state, typed)
        owners[role.key if role else _settings_system(state, typed, source, "catalog.owners").key] = owner
    overrides = [o.model_copy(update={"system": _settings_system(state, o.system, source, "catalog.overrides").key})
                 for o in settings.overrides]
    return settings.model_copy(update={"owners": owners, "overrides": overrides})


def _settings_system(state: CatalogState, typed: str, source: str | None, table: str) -> System:
    try:
        return resolve_system(state, typed)
    except CatalogError as exc:
        raise CatalogError(exc.message, source=source, table=table, value=typed, reason=exc.reason) from exc
