"""The query UI in headless Chromium: YASGUI loads from this server only, runs a query, and a result IRI leads to
its Linked Data page."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest

from jaikg import resources

from .live import thread_server

QUERY = """PREFIX jo: <https://w3id.org/jaikg/ontology#>
PREFIX jr: <https://w3id.org/jaikg/resource/>
SELECT ?developer WHERE { jr:swallow jo:developer ?developer } ORDER BY ?developer"""


def requested_urls(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_query_from_yasgui_and_click_through_to_the_entity_page(chromium_driver, live_server: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = chromium_driver
    driver.get_log("performance")
    driver.get(live_server + "/")
    wait = WebDriverWait(driver, 30)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".yasqe .CodeMirror")))

    tabs = driver.find_elements(By.CSS_SELECTOR, ".tabsList .tab a")
    tab_names = [tab.text.split("\n")[0].strip() for tab in tabs]  # the text ends with the close button
    questions = [re.search(r"^#\s*Question:\s*(.+)$", p.read_text(encoding="utf-8"), re.MULTILINE)
                 for p in resources.query_files()]
    expected = [match.group(1).strip() for match in questions if match]
    shown = [name.removesuffix("…") for name in tab_names]  # long questions are shortened on their tabs
    assert expected and all(any(question.startswith(name) for name in shown) for question in expected)

    driver.execute_script("window.jaikgYasgui.getTab().setQuery(arguments[0]);", QUERY)
    driver.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    link = wait.until(ec.element_to_be_clickable(
        (By.CSS_SELECTOR, ".yasr a.jaikg-local[href='/resource/tokyo-tech']")))
    assert driver.find_elements(By.CSS_SELECTOR, ".yasr a.jaikg-local[href='/resource/aist']")

    link.click()
    wait.until(ec.url_to_be(live_server + "/resource/tokyo-tech"))
    assert driver.find_element(By.TAG_NAME, "h1").text == "Tokyo Institute of Technology"
    assert "東京工業大学" in driver.find_element(By.CSS_SELECTOR, "p.ja").text

    outside = [url for url in requested_urls(driver)
               if not url.startswith((live_server, "data:", "blob:", "about:"))]
    assert outside == [], f"the UI asked other hosts: {outside}"


def wait_for_editor(driver):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 30)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".yasqe .CodeMirror")))
    return wait


def test_a_shared_link_opens_its_query_and_asks_this_server_only(chromium_driver, live_server: str) -> None:
    """The editor's share button makes a link with the query (and the endpoint) in it: opened, the query is in the
    first tab, and an endpoint the link names is not used."""
    driver = chromium_driver
    driver.get(f"{live_server}/?query={quote(QUERY)}&endpoint={quote('http://127.0.0.1:9/sparql')}")
    wait_for_editor(driver)
    assert driver.execute_script("return window.jaikgYasgui.getTab().getQuery();") == QUERY
    assert driver.execute_script("return window.jaikgYasgui.getTab().getEndpoint();") == live_server + "/sparql"


def test_an_answer_cut_at_the_row_limit_says_so_above_the_results(chromium_driver, shipped_store) -> None:
    """A server that cuts answers at 5 rows says so in headers (X-JAIKG-Truncated); the page says so above the
    results, and not for a whole answer."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    driver = chromium_driver
    with thread_server({"STORE": shipped_store, "MAX_ROWS": 5}) as base_url:
        driver.get(base_url + "/")
        wait = wait_for_editor(driver)
        driver.execute_script("window.jaikgYasgui.getTab().setQuery(arguments[0]);",
                              "SELECT ?s WHERE { ?s a ?type } LIMIT 50")
        driver.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
        notice = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, ".jaikg-truncated")))
        assert "after 5 rows" in notice.text
        driver.execute_script("window.jaikgYasgui.getTab().setQuery(arguments[0]);", QUERY)
        driver.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".yasr a.jaikg-local[href='/resource/aist']")))
        assert not driver.find_elements(By.CSS_SELECTOR, ".jaikg-truncated")


def test_a_browser_gets_the_404_page_with_links(chromium_driver, live_server: str) -> None:
    from selenium.webdriver.common.by import By

    driver = chromium_driver
    driver.get(live_server + "/resource/swalow")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Not in the graph"
    assert driver.find_elements(By.CSS_SELECTOR, "ul.suggestions a[href='/resource/swallow']")


@pytest.mark.parametrize("path", ["/resource/swallow", "/ontology", "/graph", "/"])
def test_pages_fit_a_phone_screen(chromium_driver, live_server: str, path: str) -> None:
    """At 375 CSS pixels wide nothing makes the page scroll sideways."""
    driver = chromium_driver
    driver.set_window_size(375, 800)
    try:
        driver.get(live_server + path)
        width = driver.execute_script("return document.documentElement.clientWidth;")
        scroll = driver.execute_script("return document.documentElement.scrollWidth;")
        assert scroll <= width, f"{path} is {scroll}px wide in a {width}px window"
    finally:
        driver.set_window_size(1400, 1000)
