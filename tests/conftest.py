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


CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-first-run", "--window-size=1400,1000")


@pytest.fixture(scope="session")
def chromium_driver():
    """Headless Debian Chromium through chromedriver, logging every network request (to check that a page asks
    no other host). Skips where Chromium is not installed (scripts/test.sh installs it)."""
    import shutil

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if not (chromium and chromedriver):
        pytest.skip("Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
