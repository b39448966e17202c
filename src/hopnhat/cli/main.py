"""Entry point: ``hopnhat NOUN VERB``. Each noun lives in its own module and registers a Typer sub-app here."""

from __future__ import annotations

import typer

from hopnhat import __version__
from hopnhat.cli import audit, catalog, demo, link, migrate, repair, review, serve, units, users
from hopnhat.cli import synth as synth_cli
from hopnhat.i18n import set_language

app = typer.Typer(
    name="hopnhat",
    help="hopnhat — hợp nhất hệ thống thông tin và CSDL khi sáp nhập đơn vị hành chính "
    "(consolidate information systems and databases of merged Vietnamese administrative units).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(units.app, name="units")
app.add_typer(catalog.app, name="catalog")
app.command("synth")(synth_cli.synth)
app.command("repair")(repair.repair)
app.command("demo")(demo.demo)
app.command("init")(migrate.init)
app.command("migrate")(migrate.migrate)
app.command("reconcile")(migrate.reconcile)
app.command("publish")(migrate.publish)
app.add_typer(migrate.store_app, name="store")
app.add_typer(migrate.quarantine_app, name="quarantine")
app.add_typer(link.app, name="link")
app.add_typer(review.app, name="review")
app.command("serve")(serve.serve)
app.add_typer(users.app, name="users")
app.add_typer(audit.app, name="audit")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hopnhat {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
    lang: str = typer.Option("", "--lang", help="vi (mặc định) | en. Also HOPNHAT_LANG."),
) -> None:
    """hopnhat command line."""
    set_language(lang or None)
