"""Dossier statuses: a local vocabulary mapped to the national codes 1–10 of the public-service portal.

``values`` (merger file) maps each local status to a national code (``DangXuLy: 4``), a digit string or a national
status name (``"Đang xử lý"``). A cell matches exactly first, then without case, diacritics or extra spaces
(``dang xu ly`` = ``Đang xử lý``). Without ``values`` the column must already hold national codes (``4``) or names.
An unknown status is an error ``unknown_status`` naming the value and the known ones; ``_raw`` always keeps the
source text, so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Callable

from hopnhat.errors import ConfigError
from hopnhat.text.normalize import fold
from hopnhat.values.core import Options, Parsed, error, failed, shown

NATIONAL_STATUS: dict[int, str] = {
    1: "Mới đăng ký", 2: "Được tiếp nhận", 3: "Không được tiếp nhận", 4: "Đang xử lý", 5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính", 7: "Công dân yêu cầu rút hồ sơ", 8: "Dừng xử lý", 9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}
_AMBIGUOUS = -1
_SHOWN_KNOWN = 12


def key(text: str) -> str:
    """Case-, diacritics- and space-insensitive comparison key."""
    return " ".join(fold(text).lower().split())


_BY_NAME = {key(name): code for code, name in NATIONAL_STATUS.items()}


def national_code(target: object, local: str = "") -> int:
    """A mapping target (int, digit string or national name) as a code 1–10; anything else is a config error."""
    text = str(target).strip()
    code = int(text) if text.isdigit() else _BY_NAME.get(key(text))
    if code is None or not 1 <= code <= 10:
        raise ConfigError(f"values: {target!r} is not a national status code 1–10 or name", column="status",
                          value=local, reason=", ".join(f"{c} {n}" for c, n in NATIONAL_STATUS.items()))
    return code


def _vocabulary(mapping: dict[str, object] | None) -> dict[str, int]:
    if mapping is None:
        return {**{str(c): c for c in NATIONAL_STATUS}, **{n: c for c, n in NATIONAL_STATUS.items()}}
    return {str(local).strip(): national_code(target, str(local)) for local, target in mapping.items()}


def _folded(exact: dict[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for local, code in exact.items():
        k = key(local)
        out[k] = code if out.get(k, code) == code else _AMBIGUOUS
    return out


def status_parser(opts: Options) -> Callable[[str], Parsed]:
    exact = _vocabulary(opts.mapping)
    folded = _folded(exact)
    known = ", ".join(list(exact)[:_SHOWN_KNOWN]) + (" …" if len(exact) > _SHOWN_KNOWN else "")

    def parse(text: str) -> Parsed:
        code = exact.get(text.strip()) or folded.get(key(text))
        if code == _AMBIGUOUS:
            return failed(error(
                "ambiguous_status", f"Trạng thái {shown(text)} khớp nhiều mục khác mã trong bảng ánh xạ (khác nhau chỉ "
                "ở dấu/hoa thường)", f"Status {shown(text)} matches entries with different codes (differing only in "
                "case/diacritics)"), _raw=text)
        if code is None:
            return failed(error("unknown_status", f"Trạng thái {shown(text)} không có trong bảng ánh xạ (đã biết: "
                                f"{known})", f"Status {shown(text)} is not in the mapping (known: {known})"), _raw=text)
        return Parsed(code, {"_raw": text})

    return parse
