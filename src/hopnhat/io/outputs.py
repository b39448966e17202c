"""Output files: checked before any work, written through a temporary file renamed at the end.

:func:`check_output` refuses an output that is an input (directly, through ``x/../``, a symlink or a hard link), a
folder, a device, below a file, in a missing or read-only folder, with a name or path too long, or on a disk without
room. :func:`atomic_output` gives a temporary path in the output's folder; the file appears under its name only when
everything was written (a failure, a full disk or Ctrl-C leaves the old file, or none, and no temporary file).
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from hopnhat.errors import OutputError
from hopnhat.i18n import tr
from hopnhat.io.inputs import os_reason

SPARE_BYTES = 1 << 20  # kept free beyond the estimate


def _refuse(path: Path, message: str, reason: str | None = None, hint: str | None = None) -> OutputError:
    return OutputError(message, source=str(path), reason=reason, hint=hint)


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.resolve() == b.resolve():
            return True
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _not_an_input(path: Path, inputs: Sequence[Path]) -> None:
    for source in inputs:
        if _same_file(path, Path(source)):
            raise _refuse(path, tr("Tệp ra trùng với tệp vào", "The output is the input file"),
                          tr(f"ghi vào sẽ xóa mất bản gốc {source}", f"writing it would destroy the original {source}"),
                          tr("chọn một tên tệp ra khác", "choose another output file name"))


def _name_fits(path: Path) -> None:
    absolute = os.fsencode(os.path.abspath(path))
    longest = max((len(os.fsencode(p)) for p in path.parts), default=0)
    if longest > 255 - 24 or len(absolute) > 4096 - 64:  # room for the temporary name
        raise _refuse(path, tr("Tên hoặc đường dẫn tệp ra quá dài", "The output name or path is too long"),
                      tr(f"tên dài nhất {longest} byte (tối đa ~230), đường dẫn {len(absolute)} byte",
                         f"longest name {longest} bytes (at most ~230), path {len(absolute)} bytes"),
                      tr("chọn tên ngắn hơn", "choose a shorter name"))


def _folder(path: Path) -> Path:
    parent = path.parent if str(path.parent) else Path(".")
    for ancestor in (parent, *parent.parents):
        if ancestor.exists() or ancestor.is_symlink():
            if not ancestor.is_dir():
                raise _refuse(path, tr("Thư mục của tệp ra là một tệp", "The output's folder is a file"),
                              tr(f"{ancestor} là tệp, không phải thư mục", f"{ancestor} is a file, not a folder"),
                              tr("chọn một thư mục có thật", "choose an existing folder"))
            break
    if not parent.is_dir():
        raise _refuse(path, tr("Thư mục của tệp ra không tồn tại", "The output's folder does not exist"),
                      str(parent), tr(f"tạo thư mục trước: mkdir -p {parent}", f"create it first: mkdir -p {parent}"))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise _refuse(path, tr("Không có quyền ghi vào thư mục của tệp ra", "The output's folder is not writable"),
                      str(parent),
                      tr("chọn thư mục khác hoặc xin quyền ghi", "choose another folder or ask for write access"))
    return parent


def _target(path: Path) -> None:
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return  # the folder's check names the problem
    except OSError as exc:
        raise _refuse(path, tr("Không dùng được đường dẫn tệp ra", "Cannot use the output path"), os_reason(exc),
                      tr("chọn một đường dẫn khác", "choose another path")) from exc
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(path, tr("Tệp ra là một thư mục", "The output is a folder"),
                      hint=tr("ghi tên một tệp, ví dụ thư_mục/ket_qua.csv", "name a file, e.g. folder/result.csv"))
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(path, tr("Tệp ra không phải tệp thường", "The output is not a regular file"),
                      tr("đây là thiết bị, ống dẫn hoặc socket", "it is a device, pipe or socket"),
                      tr("ghi tên một tệp thường", "name a regular file"))


def _room(path: Path, folder: Path, needed_bytes: int) -> None:
    free = shutil.disk_usage(folder).free
    if free < needed_bytes + SPARE_BYTES:
        raise _refuse(path, tr("Ổ đĩa không đủ chỗ cho tệp ra", "Not enough free disk space for the output"),
                      tr(f"còn {free:,} byte, cần khoảng {needed_bytes + SPARE_BYTES:,}",
                         f"{free:,} bytes free, about {needed_bytes + SPARE_BYTES:,} needed"),
                      tr("giải phóng ổ đĩa hoặc ghi ra ổ khác", "free some space or write to another disk"))


def check_suffix(path: Path, suffixes: Collection[str]) -> str:
    suffix = path.suffix.lower()
    if suffix not in suffixes:
        raise _refuse(path, tr("Loại tệp ra không được hỗ trợ", "Unsupported output file type"),
                      tr("đuôi tệp hợp lệ: ", "supported extensions: ") + ", ".join(sorted(suffixes)),
                      tr("đặt đuôi tệp ra là một trong các đuôi trên", "give the output one of these extensions"))
    return suffix


def check_output(path: Path | str, inputs: Sequence[Path | str] = (), suffixes: Collection[str] | None = None,
                 needed_bytes: int = 0) -> Path:
    """The output path, checked before any work (see the module docstring)."""
    path = Path(path)
    if suffixes is not None:
        check_suffix(path, suffixes)
    _name_fits(path)
    _target(path)
    _not_an_input(path, [Path(p) for p in inputs])
    folder = _folder(path)
    _room(path, folder, needed_bytes)
    return path


def write_failed(path: Path, exc: OSError) -> OutputError:
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return _refuse(path, tr("Không ghi được tệp ra", "Cannot write the output file"), os_reason(exc),
                   tr("giải phóng ổ đĩa hoặc ghi ra ổ khác; chưa có tệp nào bị ghi dở",
                      "free some space or write to another disk; no half-written file was left") if full else
                   tr("kiểm tra thư mục và quyền ghi; chưa có tệp nào bị ghi dở",
                      "check the folder and its permissions; no half-written file was left"))


def _temporary(path: Path) -> Path:
    for _ in range(100):
        candidate = path.with_name(f".~hopnhat-{secrets.token_hex(6)}{path.suffix}")
        try:
            os.close(os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))  # the umask applies
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path))


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_output(path: Path | str) -> Iterator[Path]:
    """A temporary path beside ``path``; renamed to ``path`` when the block ends without error, removed otherwise.
    An OSError while writing (full disk, folder gone) becomes an OutputError."""
    path = Path(path)
    try:
        temporary = _temporary(path)
    except OSError as exc:
        raise write_failed(path, exc) from exc
    try:
        yield temporary
        _sync(temporary)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise write_failed(path, exc) from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_bytes(path: Path | str, data: bytes, inputs: Sequence[Path | str] = ()) -> None:
    """Bytes to ``path``, checked and atomic."""
    path = check_output(path, inputs, needed_bytes=len(data))
    with atomic_output(path) as temporary:
        temporary.write_bytes(data)
