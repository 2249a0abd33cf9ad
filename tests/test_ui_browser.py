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


# The elements Tab stops at, in order (the page sets no positive tabindex), and the one Tab or Shift+Tab reaches
# from `arguments[0]`.
TAB_NEIGHBOUR = """
const tabbable = [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
  .filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length > 0);
return tabbable[tabbable.indexOf(arguments[0]) + arguments[1]];
"""


SHIFT_TAB = "shift+tab"


def test_escape_then_tab_leaves_the_query_editor_and_the_page_says_how(chromium_driver, live_server: str) -> None:
    """WCAG 2.1.2, no keyboard trap: in the editor Tab indents, and Escape then Tab (Shift+Tab) moves to the next
    (previous) control, CodeMirror's escape hatch; Escape alone keeps focus in the editor; a visible hint near the
    editor, its accessible description, says so."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = chromium_driver
    driver.get(live_server + "/")
    wait_for_editor(driver)
    driver.execute_script("window.jaikgYasgui.getTab().setQuery('SELECT * WHERE { ?s ?p ?o }');")
    editor_input = driver.find_element(By.CSS_SELECTOR, ".yasqe .CodeMirror textarea")
    driver.find_element(By.CSS_SELECTOR, ".yasqe .CodeMirror-line").click()

    def keys(*sequence: str) -> None:
        actions = ActionChains(driver)
        for key in sequence:
            if key == SHIFT_TAB:
                actions.key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT)
            else:
                actions.send_keys(key)
        actions.perform()

    def focused():
        return driver.switch_to.active_element

    keys(Keys.HOME, Keys.TAB)
    assert focused() == editor_input, "Tab alone indents in the editor"
    assert driver.execute_script("return window.jaikgYasgui.getTab().getQuery();").startswith(("\t", " "))

    keys(Keys.ESCAPE)
    assert focused() == editor_input, "Escape alone keeps the focus in the editor"
    keys("#")
    assert "#" in driver.execute_script("return window.jaikgYasgui.getTab().getQuery();")

    after = driver.execute_script(TAB_NEIGHBOUR, editor_input, 1)
    keys(Keys.ESCAPE, Keys.TAB)
    assert focused() == after and after.get_attribute("class").startswith("yasqe_")

    keys(SHIFT_TAB)
    assert focused() == editor_input
    before = driver.execute_script(TAB_NEIGHBOUR, editor_input, -1)
    keys(Keys.ESCAPE, SHIFT_TAB)
    assert focused() == before

    assert editor_input.accessible_name == "SPARQL query"
    described_by = editor_input.get_attribute("aria-describedby")
    assert described_by, "the editor's input names the hint as its description"
    hint = driver.find_element(By.ID, described_by)
    assert hint.is_displayed() and "Escape" in hint.text and "Tab" in hint.text


BROKEN_QUERIES = {
    "undeclared prefix": "SELECT ?model WHERE {\n  ?model jo:developer ?developer .\n}",
    "parser error": "SELECT ?s WHERE {\n  ?s ?p ?o ?extra .\n  ?s ?p ?o .\n}",
}


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/plain"])
@pytest.mark.parametrize("case", sorted(BROKEN_QUERIES))
def test_a_failed_query_shows_the_message_and_marks_the_line(chromium_driver, live_server: str, case: str,
                                                             accept: str) -> None:
    """A query the server refuses with 400 and a line and column (JSON, or text when the page asks for text): the
    results area shows the server's message in words, not the body it came in, and the editor marks that line
    until the query is edited."""
    import requests
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    query = BROKEN_QUERIES[case]
    expected = requests.post(live_server + "/sparql", data={"query": query}, timeout=30).json()
    assert expected["error"] == "query-syntax-error" and expected["line"] > 1

    driver = chromium_driver
    driver.get(live_server + "/")
    wait = wait_for_editor(driver)
    driver.execute_script("const tab = window.jaikgYasgui.getTab(); tab.setQuery(arguments[0]);"
                          "tab.setRequestConfig({acceptHeaderSelect: arguments[1]});", query, accept)
    driver.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    shown = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, ".yasr .errorResult"))).text
    assert expected["message"] in shown
    assert f"line {expected['line']}, column {expected['column']}" in shown
    assert "Query syntax error" in shown
    assert '"error"' not in shown and "query-syntax-error" not in shown, f"the raw body is shown: {shown}"

    marked = driver.execute_script("""
        const yasqe = window.jaikgYasgui.getTab().getYasqe();
        return [...Array(yasqe.lineCount()).keys()].filter(n => /jaikg-error-line/.test(yasqe.lineInfo(n).bgClass));
    """)
    assert marked == [expected["line"] - 1]
    line_text = query.split("\n")[expected["line"] - 1]
    drawn = driver.find_element(By.CSS_SELECTOR, ".CodeMirror-code .jaikg-error-line")
    drawn_text = driver.execute_script("return arguments[0].parentNode.querySelector('pre').textContent;", drawn)
    assert drawn_text.replace("\xa0", " ") == line_text  # CodeMirror draws runs of spaces with no-break spaces

    driver.execute_script("window.jaikgYasgui.getTab().getYasqe().replaceRange(' ', {line: 0, ch: 0});")
    assert not driver.find_elements(By.CSS_SELECTOR, ".CodeMirror-code .jaikg-error-line")
