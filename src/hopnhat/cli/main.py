"""Entry point: ``hopnhat NOUN VERB``. Each noun lives in its own module and registers a Typer sub-app here.

Nouns are imported lazily: ``hopnhat units convert …`` imports the units module only, not the web app, the catalog
or the pipeline (importing them all costs ~1 s of start-up, a third of a 100,000-address conversion). Without a noun
(``hopnhat --help``), or with an unknown one, the app is a :class:`LazyGroup`: it lists every noun with its summary
from :data:`SUMMARIES` and imports a noun's module only when that noun runs (``tests/cli`` checks that the summaries
and the help they make are the real commands', in both languages).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click
import typer
import typer.main
from typer.core import TyperGroup

from hopnhat import __version__
from hopnhat.i18n import set_language, tr

HELP = ("hopnhat — hợp nhất hệ thống thông tin và CSDL khi sáp nhập đơn vị hành chính "
        "(consolidate information systems and databases of merged Vietnamese administrative units).")

# noun → (module, attribute, kind): "group" is a Typer sub-app, "command" a single function
NOUNS: dict[str, tuple[str, str, str]] = {
    "units": ("hopnhat.cli.units", "app", "group"),
    "catalog": ("hopnhat.cli.catalog", "app", "group"),
    "synth": ("hopnhat.cli.synth", "synth", "command"),
    "repair": ("hopnhat.cli.repair", "repair", "command"),
    "demo": ("hopnhat.cli.demo", "demo", "command"),
    "init": ("hopnhat.cli.init", "init", "command"),
    "migrate": ("hopnhat.cli.migrate", "migrate", "command"),
    "cutover": ("hopnhat.cli.cutover", "cutover", "command"),
    "reconcile": ("hopnhat.cli.reconcile", "reconcile", "command"),
    "publish": ("hopnhat.cli.store", "publish", "command"),
    "store": ("hopnhat.cli.store", "store_app", "group"),
    "quarantine": ("hopnhat.cli.quarantine", "quarantine_app", "group"),
    "link": ("hopnhat.cli.link", "app", "group"),
    "review": ("hopnhat.cli.review", "app", "group"),
    "serve": ("hopnhat.cli.serve", "serve", "command"),
    "users": ("hopnhat.cli.users", "app", "group"),
    "audit": ("hopnhat.cli.audit", "app", "group"),
    "files": ("hopnhat.cli.files", "app", "group"),
}
# noun → the first paragraph of its help (Vietnamese, English), as ``hopnhat --help`` lists it: the list is shown
# without importing the nouns (tests/cli/test_cli_entry.py checks it against the real commands).
_CUTOVER = ("Chuyển đổi một nguồn cũ: đóng băng, chạy lần cuối, đối soát tại điểm đóng băng, biên bản ký, đánh dấu "
            "chỉ\nđọc (cut a legacy source over; --rehearse on a copy).")
_FILES = ("Tệp đính kèm của hồ sơ: lưu một lần theo nội dung, sổ sách, kiểm tra lại (files records reference: stored "
          "once by content, books, verification).")
SUMMARIES: dict[str, tuple[str, str]] = {
    "units": ("Đơn vị hành chính: chuyển đổi địa chỉ cũ → mới, tra cứu mã.",
              "Admin units: convert old addresses to new, look codes up."),
    "catalog": ("Danh mục hệ thống: kiểm kê, đánh giá, lộ trình, theo dõi.",
                "System catalog: inventory, evaluation, roadmap, monitoring."),
    "synth": ("Sinh hệ thống dữ liệu cũ có đáp án (generate a legacy estate with known truth).",) * 2,
    "repair": ("Sửa văn bản tiếng Việt mã cũ (TCVN3/ABC, VNI, Windows-1258, UTF-8 lỗi) sang UTF-8 NFC, từng cột.",) * 2,
    "demo": ("Chạy trình diễn đầy đủ / run the end-to-end demo of a provincial merger.",) * 2,
    "init": ("Tạo merger.yaml mẫu, hoặc soạn nháp từ thư mục dữ liệu (--scan) / a starting merger file, or a draft "
             "(--scan).",) * 2,
    "migrate": ("Di chuyển dữ liệu: nạp → sửa mã → ánh xạ → quy đổi đơn vị → liên kết → đối soát (resumable).",) * 2,
    "cutover": (_CUTOVER,) * 2,
    "reconcile": ("Đối soát từng bảng nguồn: đọc = nạp + gộp + cách ly; mã thoát 0 chỉ khi mọi bảng cân đối.",) * 2,
    "publish": ("Sao chép kho DuckDB sang PostgreSQL (tạo lược đồ, COPY, chạy lại không nhân đôi).",) * 2,
    "store": ("Kho hợp nhất / the unified store.",) * 2,
    "quarantine": ("Dòng cách ly / quarantined rows.",) * 2,
    "link": ("Liên kết bản ghi: tìm cùng một người trong danh sách.",
             "Record linkage: find the same person across the rows of a list."),
    "review": ("Hàng đợi rà soát liên kết: cặp bản ghi chưa chắc chắn, địa chỉ ở xã bị chia tách.",
               "Linkage review queue: uncertain record pairs, addresses in split communes."),
    "serve": ("Chạy ứng dụng web tra cứu và theo dõi / run the lookup and monitoring web app.",) * 2,
    "users": ("Tài khoản ứng dụng web.", "Web-app accounts."),
    "audit": ("Nhật ký truy cập (chuỗi băm).", "The audit log (hash chain)."),
    "files": (_FILES,) * 2,
}
_VALUED_OPTIONS = ("--lang",)  # top-level options that take a value


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hopnhat {__version__}")
        raise typer.Exit()


def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
    lang: str = typer.Option("", "--lang", help="vi (mặc định) | en. Also HOPNHAT_LANG."),
) -> None:
    """hopnhat command line."""
    set_language(lang or None)


EPILOG = ("Mã thoát / exit codes: 0 xong / done · 1 chạy không thành công / the run failed · "
          "2 dữ liệu vào sai, từ chối trước khi làm / bad input, refused before any work.")


class LazyGroup(TyperGroup):
    """The top-level group without a noun on the command line: it knows every noun by name and summary, and imports a
    noun's module only when that noun is asked for (its own help included)."""

    _listing = False  # while the help is written: the nouns' summaries stand for them

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The nouns in the order Typer lists an app's commands: single commands first, then sub-apps."""
        loaded = super().list_commands(ctx)
        kinds = ("command", "group")
        return loaded + [n for k in kinds for n, (_, _, kind) in NOUNS.items() if kind == k and n not in loaded]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in NOUNS:
            return command
        if self._listing:
            return click.Command(cmd_name, help=summary(cmd_name))
        command = typer.main.get_command(build(cmd_name)).commands[cmd_name]  # type: ignore[attr-defined]
        self.add_command(command, cmd_name)
        return command

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        """Click suggests among the loaded commands only: an unknown noun is compared with every noun."""
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            raise click.exceptions.NoSuchCommand(exc.command_name, possibilities=self.list_commands(ctx),
                                                 ctx=ctx) from None

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


def summary(noun: str) -> str:
    """The first paragraph of a noun's help in the current language (what ``hopnhat --help`` lists)."""
    vi, en = SUMMARIES[noun]
    return tr(vi, en)


def build(only: str | None = None, *, lazy: bool = True) -> typer.Typer:
    """The Typer app with ``only`` (a known noun) registered, else with every noun — loaded on demand (``lazy``, see
    :class:`LazyGroup`) or all imported now."""
    whole = only not in NOUNS
    app = typer.Typer(name="hopnhat", help=HELP, epilog=EPILOG, no_args_is_help=True, pretty_exceptions_enable=False,
                      cls=LazyGroup if whole and lazy else TyperGroup)
    app.callback()(_main)
    for name, (module, attribute, kind) in NOUNS.items():
        if (whole and lazy) or (not whole and name != only):
            continue
        target = getattr(importlib.import_module(module), attribute)
        if kind == "group":
            app.add_typer(target, name=name)
        else:
            app.command(name)(target)
    return app


def noun_of(argv: Sequence[str]) -> str | None:
    """The noun the command line asks for: the first word that is neither an option nor an option's value."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word in _VALUED_OPTIONS:
            skip = True
        elif not word.startswith("-"):
            return word
    return None


def _rich_without_attrs() -> None:
    """Load Rich's console without attrs: Rich's pretty-printer imports attrs, when installed, only to show attrs
    instances, which no command prints — about a tenth of the start-up of ``hopnhat repair`` on a small file. attrs
    stays importable afterwards (for a module that needs it, e.g. the web app's dependencies)."""
    if "attr" in sys.modules or "rich.console" in sys.modules:
        return
    sys.modules["attr"] = None  # type: ignore[assignment]  # an import of it fails: Rich goes without
    try:
        import rich.console  # noqa: F401
    finally:
        del sys.modules["attr"]


def run() -> None:
    """The ``hopnhat`` console script. An error nobody foresaw (a bug) is still shown as one message with where its
    details were written, and exit code 1 — not a Python traceback on the clerk's screen."""
    try:
        _rich_without_attrs()
        build(noun_of(sys.argv[1:]))(standalone_mode=True)
    except Exception as exc:  # the last resort: every foreseen problem is a HopnhatError shown by its command
        _internal_error(exc)
        raise SystemExit(1) from exc


def _internal_error(exc: Exception) -> None:
    import tempfile
    import time
    import traceback

    path = Path(tempfile.gettempdir()) / f"hopnhat-error-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.txt"
    try:
        path.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
        where = str(path)
    except OSError:
        where = tr("(không ghi được tệp chi tiết)", "(the details could not be written)")
    sys.stderr.write(tr(f"Lỗi nội bộ của hopnhat (không phải lỗi của dữ liệu): {type(exc).__name__}.\n"
                        f"  Chi tiết: {where}\n  Cách xử lý: gửi tệp chi tiết cho nhóm hỗ trợ.\n",
                        f"hopnhat internal error (not a problem of your data): {type(exc).__name__}.\n"
                        f"  Details: {where}\n  What to do: send the details file to the support team.\n"))


def __getattr__(name: str) -> typer.Typer:
    """``hopnhat.cli.main.app``: the full app (tests and ``CliRunner`` use it)."""
    if name == "app":
        return build()
    raise AttributeError(name)
