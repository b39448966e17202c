"""``hopnhat serve MERGER.yaml``: the web app over the merger's store (read-only), with login, scopes and audit."""

from __future__ import annotations

from pathlib import Path

import typer

from hopnhat.cli.common import console, err_console, friendly_errors
from hopnhat.i18n import tr
from hopnhat.project.config import load_project

MERGER = typer.Argument(..., help=tr("Tệp dự án sáp nhập (merger.yaml).", "Merger project file (merger.yaml)."))


@friendly_errors
def serve(
    merger: Path = MERGER,
    host: str = typer.Option("127.0.0.1", "--host", help=tr("Địa chỉ lắng nghe.", "Address to listen on.")),
    port: int = typer.Option(8000, "--port", help=tr("Cổng.", "Port.")),
    store: str | None = typer.Option(None, "--store", help=tr(
        "Kho hợp nhất: tệp DuckDB hoặc postgresql://… (mặc định: kho của merger.yaml).",
        "Unified store: a DuckDB file or postgresql://… (default: the merger file's store).")),
    catalog: Path | None = typer.Option(None, "--catalog", help=tr(
        "Tệp DuckDB của danh mục hệ thống (mặc định <thư mục merger>/catalog.duckdb).",
        "Catalog DuckDB file (default <merger folder>/catalog.duckdb).")),
    certfile: Path | None = typer.Option(None, "--ssl-certfile", help=tr("Chứng chỉ TLS (https).", "TLS certificate.")),
    keyfile: Path | None = typer.Option(None, "--ssl-keyfile", help=tr("Khóa TLS.", "TLS key.")),
    https: bool = typer.Option(False, "--https", help=tr(
        "Phục vụ qua https (kể cả sau proxy): cookie có cờ Secure.",
        "Served over https (also behind a proxy): cookies get the Secure flag.")),
) -> None:
    """Chạy ứng dụng web tra cứu và theo dõi / run the lookup and monitoring web app."""
    import uvicorn

    from hopnhat.serve.app import create_app
    from hopnhat.serve.appdb import AppDB
    from hopnhat.serve.settings import load_settings
    from hopnhat.serve.users import list_users

    project = load_project(merger)
    tls = bool(certfile and keyfile)
    settings = load_settings(project, https=(https or tls) or None, catalog_db=catalog)
    console.print(tr("Đang mở kho (chỉ đọc) và chỉ mục tra cứu…", "Opening the store (read-only) and the lookup index…"))
    app = create_app(project, store, settings)
    if not list_users(AppDB(project.app_db_path)):
        err_console.print(tr("Chưa có tài khoản nào: tạo bằng 'hopnhat users add TÊN --role admin'.",
                             "No account yet: create one with 'hopnhat users add NAME --role admin'."))
    scheme = "https" if tls else "http"
    console.print(f"{scheme}://{host}:{port}  ({tr('Ctrl+C để dừng', 'Ctrl+C to stop')})")
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False,
                ssl_certfile=str(certfile) if tls else None, ssl_keyfile=str(keyfile) if tls else None)
