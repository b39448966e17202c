"""``hopnhat serve MERGER.yaml``: the web app over the merger's store (read-only), with login, scopes and audit."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from hopnhat.cli.common import console, err_console, friendly_errors
from hopnhat.i18n import tr
from hopnhat.project.config import Project, load_project
from hopnhat.serve.app.settings import ENV_PREFIX, ServeSettings, load_settings

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
    trusted_proxies: str | None = typer.Option(None, "--trusted-proxies", help=tr(
        "Địa chỉ/mạng của reverse proxy được tin X-Forwarded-For (phân cách bằng dấu phẩy); mặc định: không tin ai.",
        "Addresses/networks of the reverse proxies whose X-Forwarded-For is believed (comma-separated); "
        "default none.")),
) -> None:
    """Chạy ứng dụng web tra cứu và theo dõi / run the lookup and monitoring web app."""
    import uvicorn

    from hopnhat.serve.app.appdb import AppDB
    from hopnhat.serve.app.factory import create_app
    from hopnhat.serve.security.users import list_users

    project = load_project(merger)
    tls = bool(certfile and keyfile)
    proxies = trusted_proxies if isinstance(trusted_proxies, str) else None  # called from Python: typer's default
    settings = load_settings(project, https=(https or tls) or None, catalog_db=catalog, trusted_proxies=proxies)
    console.print(tr("Đang mở kho (chỉ đọc) và chỉ mục tra cứu…",
                     "Opening the store (read-only) and the lookup index…"))
    if not list_users(AppDB(project.app_db_path)):
        err_console.print(tr("Chưa có tài khoản nào: tạo bằng 'hopnhat users add TÊN --role admin'.",
                             "No account yet: create one with 'hopnhat users add NAME --role admin'."))
    scheme = "https" if tls else "http"
    tls_args: dict[str, Any] = {"ssl_certfile": str(certfile), "ssl_keyfile": str(keyfile)} if tls else {}
    if settings.workers > 1:
        _prepare_workers(project, store, settings)
        stop = tr("Ctrl+C để dừng", "Ctrl+C to stop")
        console.print(f"{scheme}://{host}:{port}  ({settings.workers} workers; {stop})")
        uvicorn.run("hopnhat.serve.app.factory:app_from_env", factory=True, workers=settings.workers, host=host,
                    port=port, log_level="info", log_config=log_config(), access_log=False, timeout_keep_alive=30,
                    proxy_headers=False, **tls_args)
        return
    app = create_app(project, store, settings)
    console.print(f"{scheme}://{host}:{port}  ({tr('Ctrl+C để dừng', 'Ctrl+C to stop')})")
    # uvicorn's own X-Forwarded-For handling (trusting 127.0.0.1 by default) stays off: the app believes the header
    # only from the configured trusted proxies (hopnhat.serve.security.sessions.ProxyPolicy)
    uvicorn.run(app, host=host, port=port, log_level="info", log_config=log_config(), access_log=False,
                timeout_keep_alive=30, proxy_headers=False, **tls_args)


def log_config() -> dict[str, Any]:
    """uvicorn's logging set-up plus the app's own logger: which store version is served, background work, warnings.

    uvicorn configures only its own loggers, so without this the app's "serving store version …" lines were lost.
    """
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["hopnhat"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def _prepare_workers(project: Project, store: str | None, settings: ServeSettings) -> None:
    """Build the lookup index once, then hand the worker processes what they need through the environment."""
    from hopnhat.load.lookup_index import default_index_path, ensure_index
    from hopnhat.load.storedb import open_store
    from hopnhat.serve.app.context import store_url
    from hopnhat.serve.app.factory import MERGER_ENV, STORE_ENV

    reader = open_store(store_url(project, store), settings.statement_timeout_ms, settings.pool_size)
    try:
        ensure_index(reader, project, settings.index_path or default_index_path(project, reader.location))
    finally:
        reader.close()
    os.environ[MERGER_ENV] = str(project.path)
    if store:
        os.environ[STORE_ENV] = store
    for name in ("https", "catalog_db", "index_path", "trusted_proxies"):
        value = getattr(settings, name)
        if value is not None:
            os.environ[ENV_PREFIX + name.upper()] = str(value).lower() if isinstance(value, bool) else str(value)
