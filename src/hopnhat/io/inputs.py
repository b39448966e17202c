"""Input files checked before any work: a readable, non-empty regular file, of a supported kind, whose content is
what its name says.

:func:`check_input` is called by every file-taking command at its start (and by the merger-file checks for each
source file). It reads at most the first 64 KiB. A refusal is an :class:`~hopnhat.errors.InputError` with what,
where, why and what to do, in the user's language.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
import struct
from collections.abc import Collection
from pathlib import Path

from hopnhat.errors import InputError
from hopnhat.i18n import tr

HEAD_BYTES = 1 << 16

# what a file's name promises about its first bytes
CONTENT_OF_SUFFIX = {
    ".csv": "text", ".tsv": "text", ".tab": "text", ".txt": "text",
    ".json": "json", ".ndjson": "json", ".jsonl": "json",
    ".xlsx": "zip", ".xlsm": "zip", ".xlsb": "zip", ".ods": "zip", ".xls": "ole",
    ".parquet": "parquet", ".yaml": "text", ".yml": "text", ".dbf": "dbf", ".xml": "xml",
}
_CONTENT_WORDS = {
    "zip": ("bảng tính Excel/ODS (tệp nén ZIP)", "an Excel/ODS workbook (a ZIP file)"),
    "ole": ("bảng tính Excel 97-2003 (.xls)", "an Excel 97-2003 workbook (.xls)"),
    "parquet": ("tệp Parquet", "a Parquet file"),
    "dbf": ("bảng dBase/FoxPro (.dbf)", "a dBase/FoxPro table (.dbf)"),
    "binary": ("dữ liệu nhị phân (không phải văn bản)", "binary data (not text)"),
    "json": ("văn bản JSON", "JSON text"),
    "xml": ("văn bản XML", "XML text"),
    "text": ("văn bản (CSV/TXT)", "text (CSV/TXT)"),
}


def _words(kind: str) -> str:
    vi, en = _CONTENT_WORDS[kind]
    return tr(vi, en)


def os_reason(exc: OSError) -> str:
    """Why the system refused, in the user's language (never the library's text)."""
    words = {
        errno.EACCES: ("không có quyền truy cập", "permission denied"),
        errno.EPERM: ("không có quyền truy cập", "permission denied"),
        errno.ENOENT: ("không tồn tại", "does not exist"),
        errno.ENOTDIR: ("một phần của đường dẫn là tệp, không phải thư mục",
                        "part of the path is a file, not a folder"),
        errno.EISDIR: ("là một thư mục", "is a folder"),
        errno.ENAMETOOLONG: ("tên hoặc đường dẫn quá dài", "the name or path is too long"),
        errno.ELOOP: ("liên kết tượng trưng lặp vòng", "symbolic links loop"),
        errno.ENOSPC: ("ổ đĩa đã đầy", "the disk is full"),
        errno.EDQUOT: ("vượt hạn mức dung lượng", "disk quota exceeded"),
        errno.EROFS: ("ổ đĩa chỉ đọc", "read-only file system"),
        errno.EIO: ("lỗi vào/ra của ổ đĩa", "disk input/output error"),
    }
    vi, en = words.get(exc.errno or 0, (f"lỗi hệ thống số {exc.errno}", f"system error number {exc.errno}"))
    return tr(vi, en)


def _refuse(path: Path, message: str, reason: str | None = None, hint: str | None = None) -> InputError:
    return InputError(message, source=str(path), reason=reason, hint=hint)


def _stat(path: Path) -> os.stat_result:
    try:
        return path.stat()
    except FileNotFoundError as exc:
        raise _refuse(path, tr("Không tìm thấy tệp vào", "Input file not found"),
                      hint=tr("kiểm tra tên và thư mục của tệp", "check the file's name and folder")) from exc
    except OSError as exc:
        raise _refuse(path, tr("Không mở được đường dẫn tệp vào", "Cannot open the input path"), os_reason(exc),
                      tr("kiểm tra đường dẫn", "check the path")) from exc


def _regular(path: Path, info: os.stat_result) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(path, tr("Tệp vào là một thư mục", "The input is a folder, not a file"),
                      hint=tr("ghi tên một tệp trong thư mục đó", "name a file inside that folder"))
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(path, tr("Tệp vào không phải tệp thường", "The input is not a regular file"),
                      tr("đây là thiết bị, ống dẫn hoặc socket (ví dụ /dev/null)",
                         "it is a device, pipe or socket (such as /dev/null)"),
                      tr("ghi tên một tệp dữ liệu", "name a data file"))


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(HEAD_BYTES)
    except OSError as exc:
        raise _refuse(path, tr("Không đọc được tệp vào", "Cannot read the input file"), os_reason(exc),
                      tr("kiểm tra quyền đọc của tệp", "check the file's read permission")) from exc


# control bytes no text uses (TCVN3 letters sit at 0x01-0x02, 0x04-0x06, 0x11-0x17; tab, CR, LF are layout)
_JUNK = bytes([0x00, 0x03, 0x07, 0x08, 0x0B, 0x0C, 0x0E, 0x0F, 0x10, *range(0x18, 0x20), 0x7F])


def _looks_binary(head: bytes) -> bool:
    """Binary, not text with a few junk records (those are quarantined row by row): NUL bytes and many control
    bytes."""
    if b"\x00" not in head:
        return False
    junk = sum(head.count(bytes([b])) for b in _JUNK)
    return head.count(b"\x00") * 1000 > len(head) and junk * 100 > 3 * len(head)


DBF_VERSIONS = frozenset({0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x7B, 0x83, 0x8B, 0x8E, 0xB3, 0xCB,
                          0xE5, 0xF5, 0xFB})  # dBase II-7, FoxBASE, FoxPro 2.x, Visual FoxPro
DBF_FIELD_TYPES = "CNFDLMGPBIYTO@+VQW0"


def looks_dbf(head: bytes) -> bool:
    """Whether the first bytes are a DBF header: a known version byte, field descriptors ending in 0x0D, and a record
    length that is the flag byte plus the fields' lengths."""
    if len(head) < 65 or head[0] not in DBF_VERSIONS:
        return False
    header_len, record_len = struct.unpack_from("<HH", head, 8)
    total, pos = 1, 32
    while pos < min(header_len, len(head)):
        if head[pos] == 0x0D:
            return pos > 32 and total == record_len
        if pos + 32 > len(head) or chr(head[pos + 11]) not in DBF_FIELD_TYPES:
            return False
        length, decimals = head[pos + 16], head[pos + 17]
        total += length | (decimals << 8 if chr(head[pos + 11]) == "C" else 0)
        pos += 32
    return False


def sniff(head: bytes) -> str:
    """What the first bytes are: ``zip``, ``ole``, ``parquet``, ``dbf``, ``binary``, ``json``, ``xml`` or ``text``."""
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"PAR1"):
        return "parquet"
    if looks_dbf(head):
        return "dbf"
    if head.startswith((b"<\x00?\x00", b"\x00<\x00?")):  # UTF-16 XML without its byte-order mark
        return "xml"
    wide = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not wide and _looks_binary(head):
        return "binary"
    text = head.decode("utf-16" if wide else "latin-1", errors="ignore").lstrip("\ufeff\xef\xbb\xbf \t\r\n")
    if text[:1] == "<":
        return "xml"
    return "json" if text[:1] in ("{", "[") else "text"


def check_content(path: Path, head: bytes, expected: str) -> None:
    """Refuse a file whose first bytes are not the kind its name or the merger file promises."""
    found = sniff(head)
    fine = (found == expected or (expected == "text" and found in ("json", "xml"))
            or (expected == "ole" and found == "zip"))
    if not fine:
        raise _refuse(path, tr("Nội dung tệp không khớp với loại tệp", "The file's content does not match its kind"),
                      tr(f"cần {_words(expected)} nhưng tệp chứa {_words(found)}",
                         f"expected {_words(expected)} but the file holds {_words(found)}"),
                      tr("đổi đuôi tệp (hoặc 'kind' trong merger.yaml) cho đúng nội dung, hoặc xuất lại tệp",
                         "give the file the extension (or merger.yaml 'kind') of its content, or export it again"))


def check_suffix(path: Path, suffixes: Collection[str]) -> str:
    suffix = path.suffix.lower()
    if suffix not in suffixes:
        raise _refuse(path, tr("Loại tệp vào không được hỗ trợ", "Unsupported input file type"),
                      tr("đuôi tệp hợp lệ: ", "supported extensions: ") + ", ".join(sorted(suffixes)),
                      tr("lưu tệp dưới một trong các dạng trên", "save the file in one of these formats"))
    return suffix


def check_input(path: Path | str, suffixes: Collection[str] | None = None, max_bytes: int | None = None,
                content: str | None = None) -> Path:
    """The input, checked: exists, a regular readable file, not empty, a supported extension, not larger than
    ``max_bytes``, and (from its first bytes) holding what its extension — or ``content`` — promises."""
    path = Path(path)
    info = _stat(path)
    _regular(path, info)
    suffix = check_suffix(path, suffixes) if suffixes is not None else path.suffix.lower()
    head = _head(path)
    if info.st_size == 0 or not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise _refuse(path, tr("Tệp vào rỗng", "The input file is empty"),
                      hint=tr("xuất lại tệp từ hệ thống nguồn", "export the file again from its system"))
    if max_bytes is not None and info.st_size > max_bytes:
        raise _refuse(path, tr("Tệp vào quá lớn cho lệnh này", "The input file is too large for this command"),
                      tr(f"{info.st_size:,} byte, tối đa {max_bytes:,}",
                         f"{info.st_size:,} bytes, at most {max_bytes:,}"),
                      tr("chia tệp thành nhiều phần", "split the file into parts"))
    expected = content or CONTENT_OF_SUFFIX.get(suffix)
    if expected is not None:
        check_content(path, head, expected)
    return path


def require_utf8(path: Path, what: str | None = None) -> None:
    """Refuse a text file that is not UTF-8 (naming the line), with the way out: ``hopnhat repair``."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    line = 1
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    line += chunk[: exc.start].count(b"\n")
                    raise _not_utf8(path, line, what) from exc
                line += chunk.count(b"\n")
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, line, what) from exc


def _not_utf8(path: Path, line: int, what: str | None) -> InputError:
    return InputError(tr("Tệp văn bản không phải UTF-8", "The text file is not UTF-8"), source=str(path), row=line,
                      reason=what or tr("có byte không đọc được theo UTF-8 (mã cũ TCVN3/VNI/Windows-1258?)",
                                        "it holds bytes that are not UTF-8 (a legacy TCVN3/VNI/Windows-1258 file?)"),
                      hint=tr("chạy `hopnhat repair TỆP --output TỆP_MỚI` rồi dùng tệp mới",
                              "run `hopnhat repair FILE --output NEW_FILE` and use the new file"))
