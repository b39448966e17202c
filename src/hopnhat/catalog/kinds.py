"""Vocabularies of the catalog: the 12 shared system kinds, specialised domains, hosting models, actions.

Every value has a stable code (stored, compared) and Vietnamese/English labels (shown). The Excel template offers the
Vietnamese labels in drop-down lists; the importer accepts the code or either label.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hopnhat.i18n import tr
from hopnhat.text.normalize import name_key

KindCode = Literal[
    "email", "lgsp", "portal", "document", "task", "tthc", "results", "reporting", "opendata", "mobile", "video",
    "meeting", "specialised",
]
HostingCode = Literal["on_premise", "data_centre", "leased"]
PhaseCode = Literal["production", "trial"]
ActionCode = Literal["keep", "migrate", "retire", "readonly"]


@dataclass(frozen=True)
class Term:
    code: str
    vi: str
    en: str

    @property
    def label(self) -> str:
        return tr(self.vi, self.en)


KINDS: tuple[Term, ...] = (
    Term("email", "Thư điện tử công vụ", "Official email"),
    Term("lgsp", "Nền tảng tích hợp, chia sẻ dữ liệu (LGSP)", "Integration and data-sharing platform (LGSP)"),
    Term("portal", "Cổng thông tin điện tử", "Electronic information portal"),
    Term("document", "Quản lý văn bản và điều hành", "Document management"),
    Term("task", "Quản lý nhiệm vụ", "Task management"),
    Term("tthc", "Hệ thống thông tin giải quyết TTHC", "Administrative-procedure (TTHC) settlement system"),
    Term("results", "Kho quản lý kết quả giải quyết TTHC", "TTHC results warehouse"),
    Term("reporting", "Hệ thống thông tin báo cáo", "Reporting system"),
    Term("opendata", "Cổng dữ liệu mở", "Open data portal"),
    Term("mobile", "Ứng dụng di động", "Mobile app"),
    Term("video", "Hội nghị truyền hình", "Video conferencing"),
    Term("meeting", "Phòng họp không giấy", "Paperless meetings"),
    Term("specialised", "CSDL chuyên ngành", "Specialised database"),
)
SHARED_KINDS: tuple[str, ...] = tuple(k.code for k in KINDS if k.code != "specialised")
#: every shared system must run for the merged province from the merger date (not only documents and TTHC)
URGENT_KINDS: tuple[str, ...] = SHARED_KINDS
#: kinds whose systems hold no business records worth migrating: retired once users are switched
NO_DATA_KINDS: tuple[str, ...] = ("video", "meeting", "mobile")
#: kinds whose old data citizens and civil servants keep looking up: kept read-only after migration
LOOKUP_KINDS: tuple[str, ...] = ("tthc", "results", "document", "specialised")

DOMAINS: tuple[Term, ...] = (
    Term("civil_status", "Hộ tịch", "Civil status"),
    Term("civil_servant", "Cán bộ, công chức, viên chức", "Civil servants"),
    Term("education", "Giáo dục (học bạ số)", "Education (digital transcripts)"),
    Term("land", "Đất đai", "Land"),
    Term("business", "Đăng ký kinh doanh", "Business registration"),
    Term("notary", "Công chứng", "Notarisation"),
    Term("health", "Y tế", "Health"),
    Term("construction", "Xây dựng", "Construction"),
    Term("labour", "Lao động, việc làm", "Labour and employment"),
    Term("social", "Bảo trợ xã hội", "Social protection"),
    Term("environment", "Tài nguyên, môi trường", "Natural resources and environment"),
    Term("transport", "Giao thông vận tải", "Transport"),
    Term("agriculture", "Nông nghiệp", "Agriculture"),
    Term("culture", "Văn hóa, du lịch", "Culture and tourism"),
    Term("legal_aid", "Trợ giúp pháp lý", "Legal aid"),
)
HOSTINGS: tuple[Term, ...] = (
    Term("on_premise", "Tại chỗ", "On premise"),
    Term("data_centre", "Trung tâm dữ liệu", "Data centre"),
    Term("leased", "Thuê dịch vụ", "Leased service"),
)
PHASES: tuple[Term, ...] = (
    Term("production", "Chính thức", "Production"),
    Term("trial", "Thử nghiệm", "Trial"),
)
ACTIONS: tuple[Term, ...] = (
    Term("keep", "Giữ làm hệ thống dùng chung", "Keep as the shared system"),
    Term("migrate", "Chuyển dữ liệu sang hệ thống kia", "Migrate into the other system"),
    Term("retire", "Dừng sau khi chuyển người dùng", "Retire after migration"),
    Term("readonly", "Giữ chỉ đọc để tra cứu", "Keep read-only for lookup"),
)
INTEGRATIONS: tuple[str, ...] = ("LGSP", "NDXP", "Cổng DVC quốc gia", "CSDLQG dân cư", "CSDLQG đăng ký doanh nghiệp",
                                 "CSDLQG đất đai", "CSDLQG cán bộ công chức", "CSDL hộ tịch điện tử",
                                 "Trục liên thông văn bản quốc gia", "Hệ thống báo cáo Chính phủ")
#: connections that count double in the integration score: the provincial and national data-exchange platforms
BACKBONE_INTEGRATIONS: tuple[str, ...] = ("LGSP", "NDXP")


def _index(terms: tuple[Term, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for t in terms:
        for text in (t.code, t.vi, t.en):
            out[name_key(text)] = t.code
    return out


_LOOKUPS = {name: _index(terms) for name, terms in
            (("kind", KINDS), ("domain", DOMAINS), ("hosting", HOSTINGS), ("phase", PHASES), ("action", ACTIONS))}
_TERMS = {"kind": KINDS, "domain": DOMAINS, "hosting": HOSTINGS, "phase": PHASES, "action": ACTIONS}


def code_of(vocabulary: str, text: str) -> str | None:
    """The code for a code or a Vietnamese/English label (case and diacritics forgiven); None if unknown."""
    return _LOOKUPS[vocabulary].get(name_key(text))


def term(vocabulary: str, code: str) -> Term:
    for t in _TERMS[vocabulary]:
        if t.code == code:
            return t
    return Term(code, code, code)


def label(vocabulary: str, code: str | None) -> str:
    return "" if code is None else term(vocabulary, code).label


def vi_labels(vocabulary: str) -> list[str]:
    return [t.vi for t in _TERMS[vocabulary]]
