"""Run the web app with uvicorn in a background thread (the demo, the browser tests): start, wait until
``/health`` answers, stop cleanly."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from types import TracebackType

import httpx
import uvicorn
from fastapi import FastAPI

from hopnhat.errors import HopnhatError
from hopnhat.project.config import Project
from hopnhat.serve.app.settings import ServeSettings


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass
class BackgroundServer:
    app: FastAPI
    server: uvicorn.Server
    thread: threading.Thread
    url: str

    def stop(self, timeout: float = 10) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)

    def __enter__(self) -> BackgroundServer:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()


def start_app(app: FastAPI, host: str = "127.0.0.1", port: int | None = None, timeout: float = 60) -> BackgroundServer:
    """Serve an app already created; returns once ``/health`` answers 200."""
    port = port or free_port(host)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="on",
                            proxy_headers=False)  # the app decides whom to believe (trusted_proxies)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"hopnhat-serve-{port}", daemon=True)
    thread.start()
    url = f"http://{host}:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return BackgroundServer(app, server, thread, url)
        except httpx.HTTPError:
            pass
        if not thread.is_alive():
            break
        time.sleep(0.05)
    server.should_exit = True
    raise HopnhatError("the web app did not start", source=url)


def serve_in_background(project: Project, host: str = "127.0.0.1", port: int | None = None,
                        store_url: str | None = None, settings: ServeSettings | None = None) -> BackgroundServer:
    """Create the app for ``project`` and serve it in a thread: ``with serve_in_background(p) as s: s.url``."""
    from hopnhat.serve.app.factory import create_app

    return start_app(create_app(project, store_url, settings), host, port)
