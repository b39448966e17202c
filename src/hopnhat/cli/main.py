"""Entry point: ``hopnhat NOUN VERB``. Each noun lives in its own module and registers a Typer sub-app here.

Nouns are imported lazily: ``hopnhat units convert …`` imports the units module only, not the web app, the catalog
or the pipeline (importing them all costs ~1 s of start-up, a third of a 100,000-address conversion). Without a noun
(``hopnhat --help``), or with an unknown one, every noun is loaded so the help and the suggestions are complete.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import typer

from hopnhat import __version__
from hopnhat.i18n import set_language

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


def build(only: str | None = None) -> typer.Typer:
    """The Typer app with every noun, or with ``only`` that one (when it is a known noun)."""
    app = typer.Typer(name="hopnhat", help=HELP, epilog=EPILOG, no_args_is_help=True, pretty_exceptions_enable=False)
    app.callback()(_main)
    for name, (module, attribute, kind) in NOUNS.items():
        if only in NOUNS and name != only:
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


def run() -> None:
    """The ``hopnhat`` console script. An error nobody foresaw (a bug) is still shown as one message with where its
    details were written, and exit code 1 — not a Python traceback on the clerk's screen."""
    try:
        build(noun_of(sys.argv[1:]))(standalone_mode=True)
    except Exception as exc:  # the last resort: every foreseen problem is a HopnhatError shown by its command
        _internal_error(exc)
        raise SystemExit(1) from exc


def _internal_error(exc: Exception) -> None:
    import tempfile
    import time
    import traceback

    from hopnhat.i18n import tr

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
