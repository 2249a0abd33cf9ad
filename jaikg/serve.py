"""`jaikg serve`: build and validate the store, then serve the web app with waitress (a production WSGI server)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .loading import build_store
from .validation import ValidationReport, validate_store


@dataclass
class InvalidData(Exception):
    """The data does not conform: nothing is served."""

    report: ValidationReport


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    data: tuple[Path, ...] = ()
    store_dir: Path | None = None
    update: bool = False
    update_token: str | None = None
    timeout: float | None = None
    max_rows: int | None = None
    cors_origins: tuple[str, ...] = ()
    allowed_services: tuple[str, ...] = ()
    threads: int = 8
    extra_config: dict[str, Any] = field(default_factory=dict)


def load_validated_store(data: Iterable[Path | str] = (), store_dir: Path | str | None = None) -> ox.Store:
    """The shipped data plus `data`, validated; `InvalidData` (with the report) when it does not conform, and
    `DataLoadError` when a file cannot be parsed."""
    store = build_store(data, store_dir=store_dir)
    report = validate_store(store)
    if not report.conforms:
        raise InvalidData(report)
    return store


def app_config(options: ServeOptions, store: ox.Store) -> dict[str, Any]:
    return {"STORE": store, "UPDATE": options.update, "UPDATE_TOKEN": options.update_token,
            "TIMEOUT": options.timeout, "MAX_ROWS": options.max_rows,
            "CORS_ORIGINS": list(options.cors_origins) or ["*"],
            "ALLOWED_SERVICES": list(options.allowed_services), **options.extra_config}


def serve(options: ServeOptions) -> None:
    """Validate, then serve until interrupted."""
    from waitress import serve as waitress_serve

    from .server import create_app

    store = load_validated_store(options.data, options.store_dir)
    app = create_app(app_config(options, store))
    logging.getLogger("waitress").setLevel(logging.INFO)
    waitress_serve(app, host=options.host, port=options.port, threads=options.threads, ident="jaikg")
