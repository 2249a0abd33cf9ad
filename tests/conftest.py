"""Shared fixtures: the shipped graph built once per session, paths to fixtures, the shared folder."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from jaikg.loading import build_store

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
REPO = TESTS.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shipped_store() -> ox.Store:
    """The shipped graph as every view sees it (ontology, data, derived mentions). Read-only: do not update it."""
    return build_store()


@pytest.fixture(scope="session")
def live_server(shipped_store: ox.Store) -> str:
    """Base URL of the web app on the shipped graph under waitress (read-only, in a thread, on a free port)."""
    from tests.live import thread_server

    with thread_server({"STORE": shipped_store}) as base_url:
        yield base_url
