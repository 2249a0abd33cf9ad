"""Output safety: every page shows hostile data as text, and every response carries the security headers (a CSP
with no other host, no framing, no sniffing). The hostile data is loaded the way `--data` loads it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from server.security import SECURITY_HEADERS

from .conftest import FIXTURES
from .live import thread_server

HOSTILE = FIXTURES / "safety" / "xss.trig"
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with thread_server({"DATA": [str(HOSTILE)]}) as base_url:
        yield base_url


@pytest.mark.parametrize("path", ["/resource/hostile-org", "/evidence/hostile", "/resource/aist",
                                  "/ontology/Company"])
def test_pages_show_hostile_data_as_text(server: str, path: str) -> None:
    response = requests.get(server + path, headers=HTML, timeout=30)
    assert response.status_code == 200
    page = response.text
    for raw in ("<script>alert", "<img src=x", "<svg onload", "</textarea>", "href=\"javascript:",
                "onerror=alert('"):
        assert raw not in page, f"{raw!r} unescaped on {path}"


def test_the_hostile_label_is_visible_as_text(server: str) -> None:
    page = requests.get(server + "/resource/hostile-org", headers=HTML, timeout=30).text
    assert "&lt;script&gt;alert(&#39;label&#39;)&lt;/script&gt;" in page
    assert "javascript:alert" in page  # shown, not linked


def test_script_tags_are_only_the_servers_own(server: str) -> None:
    """Every <script> on the pages is the server's: a src on this server, or a JSON data block."""
    for path in ("/", "/resource/hostile-org", "/graph"):
        page = requests.get(server + path, headers=HTML, timeout=30).text
        for tag in page.split("<script")[1:]:
            opening = tag.split(">", 1)[0]
            assert 'src="/' in opening or 'type="application/json"' in opening, (path, opening)


@pytest.mark.parametrize("path,headers", [
    ("/", HTML), ("/sparql", HTML), ("/sparql?query=ASK%20%7B%7D", {}), ("/sparql?query=nonsense", {}),
    ("/resource/hostile-org", HTML), ("/resource/hostile-org.ttl", {}), ("/resource/no-such-thing", HTML),
    ("/.well-known/void", {}), ("/healthz", {}), ("/static/site/site.css", {}), ("/graph", HTML),
    ("/no/such/path", {}),
])
def test_security_headers_on_every_response(server: str, path: str, headers: dict[str, str]) -> None:
    response = requests.get(server + path, headers=headers, timeout=30)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (path, name)


def test_content_security_policy_names_no_other_host() -> None:
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert "http" not in policy and "*" not in policy
