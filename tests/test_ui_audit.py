"""What an audit of the web interface found, as a user meets it: a 10,000-row answer is drawn a page at a time and
the page still answers; IRIs with characters special in URLs (`?`, `#`, `%`, spaces, non-ASCII) each have one
path that leads back to exactly them, on the pages and in the query UI; table columns keep their words whole; a
skip link and one Tab stop for the example tabs; text contrast; labelled columns on a phone; the VoID page's
summary first; query 33 in numeric order; a refused update titled in words; an evidence page without its own
description twice. Real HTTP, and headless Debian Chromium for what the browser shows."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from urllib.parse import unquote

import pyoxigraph as ox
import pytest
import requests

from jaikg.resources import query_files
from jaikg.server.links import LOCAL_PREFIXES, iri_of, local_path

from .live import cli_server, thread_server

JR = "https://w3id.org/jaikg/resource/"
JEV = "https://w3id.org/jaikg/evidence/"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SEE_ALSO = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}

ODD_SLUGS = ["odd?x=1", "odd", "a#frag", "caf%C3%A9", "café", "odd%2Fslash", "odd/slash", "sp%20ace", "a//b",
             "100%25", "q&a=b;c", "東京", "f(1)+2", "x.ttl"]
"""Local parts of resource IRIs: a query, a fragment, a percent-encoding (of é, of `/`, of a space) that is part
of the IRI, the same IRI with the character itself, a real slash, non-ASCII, characters a path keeps as they are,
and a slug ending like a twin's extension."""
HUB = JR + "url-test"


@pytest.fixture(scope="module")
def odd_server() -> Iterator[str]:
    """The app on a small graph: the resources of `ODD_SLUGS`, each labelled with its local part and all pointed
    to from jr:url-test, in an evidence graph."""
    store = ox.Store()
    graph = ox.NamedNode(JEV + "url-test")
    quads = [ox.Quad(ox.NamedNode(HUB), RDFS_LABEL, ox.Literal("URL test"), graph)]
    for slug in ODD_SLUGS:
        quads.append(ox.Quad(ox.NamedNode(HUB), SEE_ALSO, ox.NamedNode(JR + slug), graph))
        quads.append(ox.Quad(ox.NamedNode(JR + slug), RDFS_LABEL, ox.Literal(slug), graph))
    store.extend(quads)
    with thread_server({"STORE": store}) as base_url:
        yield base_url


# 1. Large answers ---------------------------------------------------------------------------------------------

BIG_QUERY = "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c } LIMIT 10000"


def wait_for_editor(driver):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 30)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".yasqe .CodeMirror")))
    return wait


def test_a_10000_row_answer_is_drawn_a_page_at_a_time_and_the_page_answers(chromium_driver,
                                                                          live_server: str) -> None:
    """The table shows 50 rows and a paging control, not all 10,000 (which took YASR 90 s to prepare); a click
    on "next" shows the next rows; pages longer than 100 rows ("1000", "All") are not offered for such an
    answer (drawing 1,000 rows took 30 s), the download button gives all of it; a short answer has them all."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    driver = chromium_driver
    driver.get(live_server + "/")
    wait = wait_for_editor(driver)
    driver.execute_script("window.jaikgYasgui.getTab().setQuery(arguments[0]);", BIG_QUERY)
    driver.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".yasr tbody tr .rowNumber")))
    rows = driver.find_elements(By.CSS_SELECTOR, ".yasr tbody tr")
    assert len(rows) == 50
    assert "of 10,000 entries" in driver.find_element(By.CSS_SELECTOR, ".yasr .dt-info").text
    sizes = [option.get_attribute("value") for option in driver.find_elements(By.CSS_SELECTOR, ".tableSizer option")]
    assert sizes == ["10", "50", "100"]
    assert driver.find_elements(By.CSS_SELECTOR, ".yasr_btn.yasr_downloadIcon, .yasr_downloadIcon")

    driver.find_element(By.CSS_SELECTOR, ".yasr .dt-paging-button.next").click()
    wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".yasr tbody tr:first-child .rowNumber"), "51"))
    assert len(driver.find_elements(By.CSS_SELECTOR, ".yasr tbody tr")) == 50
    # The filter searches all rows: a value from far down the answer is found.
    last = driver.execute_script("""const r = window.jaikgYasgui.getTab().getYasr().results.getBindings();
                                    return r[r.length - 1].s.value;""")
    driver.find_element(By.CSS_SELECTOR, ".tableFilter").send_keys(last)
    wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".yasr .dt-info"), "filtered from 10,000"))

    # A short answer is offered every page size.
    driver.execute_script("window.jaikgYasgui.getTab().setQuery(arguments[0]);", "SELECT * WHERE { ?s ?p ?o } LIMIT 80")
    driver.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".yasr .dt-info"), "of 80 entries"))
    sizes = [option.get_attribute("value") for option in driver.find_elements(By.CSS_SELECTOR, ".tableSizer option")]
    assert sizes == ["10", "50", "100", "1000", "-1"]


# 2. IRIs with characters special in URLs ------------------------------------------------------------------------

def test_every_iri_has_one_path_that_decodes_to_it() -> None:
    """RFC 3986 §2.1, §2.4: the local part percent-encoded (`%` included), so decoding the path once, as a
    server does, gives the IRI back; nothing in the path is a query, a fragment or outside the URI syntax."""
    for namespace, prefix in LOCAL_PREFIXES:
        for slug in ODD_SLUGS:
            path = local_path(namespace + slug)
            assert path.startswith(prefix)
            assert re.fullmatch(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/%]+", path), path
            assert not re.search(r"%(?![0-9A-F]{2})", path), path
            assert iri_of(prefix, unquote(path[len(prefix):])) == namespace + slug
    paths = [local_path(JR + slug) for slug in ODD_SLUGS]
    assert len(set(paths)) == len(paths)
    assert local_path(JR + "café") == "/resource/caf%C3%A9"
    assert local_path(JR + "caf%C3%A9") == "/resource/caf%25C3%25A9"


def page_iri(page: str) -> str:
    return html.unescape(re.search(r'<p class="iri">([^<]*)</p>', page).group(1))


def test_the_pages_link_each_iri_to_its_own_page(odd_server: str) -> None:
    hub = requests.get(odd_server + "/resource/url-test", headers=BROWSER, timeout=30)
    links = {html.unescape(title): html.unescape(href)
             for href, title in re.findall(r'<a href="([^"]*)" title="([^"]*)"', hub.text)}
    for slug in ODD_SLUGS:
        iri = JR + slug
        assert links[iri] == local_path(iri)
        page = requests.get(odd_server + links[iri], headers=BROWSER, timeout=30)
        assert page.status_code == 200, (slug, links[iri])
        assert page_iri(page.text) == iri
        twin = requests.get(odd_server + links[iri] + ".ttl", timeout=30)
        assert twin.status_code == 200 and twin.headers["Content-Type"].startswith("text/turtle"), slug
        assert ox.NamedNode(iri) in {t.subject for t in ox.parse(twin.content, format=ox.RdfFormat.TURTLE)}
        alternates = re.findall(r"<([^>]+)>", page.headers["Link"])
        assert alternates[0] == links[iri] + ".ttl"


def test_under_jaikg_serve_each_path_leads_to_its_iri() -> None:
    """`jaikg serve` (granian, which gives the app the decoded path only, no raw URI): the resources inserted by
    SPARQL Update, each at its path."""
    with cli_server("--update", "--workers", "1") as base_url:
        inserts = " ".join(f"<{JR + slug}> <{RDFS_LABEL.value}> {json_string(slug)} ." for slug in ODD_SLUGS)
        response = requests.post(base_url + "/sparql", data={"update": f"INSERT DATA {{ GRAPH <{JEV}url-test> "
                                                                      f"{{ {inserts} }} }}"}, timeout=60)
        assert response.status_code == 204, response.text
        for slug in ODD_SLUGS:
            page = requests.get(base_url + local_path(JR + slug), headers=BROWSER, timeout=30)
            assert page.status_code == 200 and page_iri(page.text) == JR + slug, slug


def json_string(text: str) -> str:
    """A SPARQL string literal (JSON's escapes are SPARQL's for these characters)."""
    import json

    return json.dumps(text, ensure_ascii=False)


def test_did_you_mean_links_lead_to_the_iri_named(odd_server: str) -> None:
    missing = requests.get(odd_server + "/resource/odd%3Fx=2", headers=BROWSER, timeout=30)
    assert missing.status_code == 404
    hrefs = [html.unescape(h) for h in re.findall(r'<li><a href="([^"]*)"', missing.text)]
    assert "/resource/odd%3Fx=1" in hrefs
    for href in hrefs:
        page = requests.get(odd_server + href, headers=BROWSER, timeout=30)
        assert page.status_code == 200 and page_iri(page.text) == iri_of("/resource/", unquote(href[10:]))
    text = requests.get(odd_server + "/resource/odd%3Fx=2", headers={"Accept": "text/plain"}, timeout=30).text
    assert "/resource/odd%3Fx=1" in text


def test_the_query_ui_links_result_iris_as_the_pages_do(chromium_driver, odd_server: str) -> None:
    """The UI rewrites result IRIs to this server's paths in JavaScript: the same paths as the pages', and each
    opens the page of exactly that IRI."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    driver = chromium_driver
    driver.get(odd_server + "/")
    wait = wait_for_editor(driver)
    driver.execute_script("window.jaikgYasgui.getTab().setQuery(arguments[0]);",
                          f"SELECT ?o WHERE {{ <{HUB}> <{SEE_ALSO.value}> ?o }} ORDER BY ?o")
    driver.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".yasr tbody a.jaikg-local")))
    shown = driver.execute_script("""
        const bindings = window.jaikgYasgui.getTab().getYasr().results.getBindings();
        const links = [...document.querySelectorAll('.yasr tbody a.jaikg-local')].map(a => a.getAttribute('href'));
        return bindings.map((b, i) => [b.o.value, links[i]]);""")
    assert len(shown) == len(ODD_SLUGS)
    for iri, href in shown:
        assert href == local_path(iri), iri
    for index in (ODD_SLUGS.index("a#frag"), ODD_SLUGS.index("sp%20ace")):
        iri = JR + ODD_SLUGS[index]
        driver.find_element(By.CSS_SELECTOR, f".yasr tbody a.jaikg-local[href='{local_path(iri)}']").click()
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "p.iri")))
        assert driver.find_element(By.CSS_SELECTOR, "p.iri").text == iri
        driver.back()
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".yasr tbody a.jaikg-local")))


# 3. Words whole in table columns ------------------------------------------------------------------------------

BROKEN_WORDS = """
const broken = [];
for (const cell of document.querySelectorAll(arguments[0])) {
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(/[^\\s-]+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (lines.size > 1) broken.push(match[0]);
    }
  }
}
return broken;
"""


@pytest.mark.parametrize("path", ["/evidence/s2-swallow", "/resource/tsuzumi", "/resource/ai-rnd-in-japan",
                                  "/ontology/quote"])
def test_table_columns_keep_their_words_whole_at_1280px(chromium_driver, live_server: str, path: str) -> None:
    """The subject and property columns of the one-statement-a-row tables break no word across lines (a line may
    end at a hyphen, as in jev:document-figure-1-2-10, not inside "wasDerivedFrom"), and the property column is at
    least 9rem wide."""
    driver = chromium_driver
    driver.set_window_size(1280, 900)
    try:
        driver.get(live_server + path)
        cells = "table.props:is(#graph, #incoming, #uses) td:not(:last-child)"
        assert driver.execute_script("return document.querySelectorAll(arguments[0]).length;", cells)
        assert driver.execute_script(BROKEN_WORDS, cells) == []
        widths = driver.execute_script("""return [...document.querySelectorAll(
            'table.props:is(#graph, #incoming) tr > td:nth-child(2)')].map(td => td.getBoundingClientRect().width);""")
        assert all(width >= 9 * 16 - 1 for width in widths), min(widths or [0])
    finally:
        driver.set_window_size(1400, 1000)


# 4. Keyboard ----------------------------------------------------------------------------------------------------

def test_the_first_tab_stop_skips_to_the_query_editor(chromium_driver, live_server: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver = chromium_driver
    driver.get(live_server + "/")
    wait_for_editor(driver)
    ActionChains(driver).send_keys(Keys.TAB).perform()
    skip = driver.switch_to.active_element
    assert skip.tag_name == "a" and skip.text == "Skip to the query editor"
    box = driver.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.top, r.height];", skip)
    assert skip.is_displayed() and box[0] >= 0 and box[1] > 0, "the skip link shows when focused"
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    assert driver.switch_to.active_element.accessible_name == "SPARQL query"


def test_the_example_tabs_are_one_tab_stop_and_the_selected_one_is_in_view(chromium_driver,
                                                                          live_server: str) -> None:
    driver = chromium_driver
    driver.get(live_server + "/")
    wait_for_editor(driver)
    stops = driver.execute_script("""return [...document.querySelectorAll('.tabsList a[role=tab]')]
                                         .filter(a => a.tabIndex >= 0).map(a => a.textContent);""")
    assert len(stops) == 1
    driver.execute_script("""const y = window.jaikgYasgui; const ids = y.persistentConfig.getTabs();
                             y.selectTabId(ids[ids.length - 2]);""")
    inside = driver.execute_script("""
        const list = document.querySelector('.tabsList'), tab = list.querySelector('.tab.active');
        const a = tab.getBoundingClientRect(), b = list.getBoundingClientRect();
        return a.left >= b.left - 1 && a.right <= b.right + 1;""")
    assert inside, "the selected tab is scrolled into view"


# 5. Contrast ----------------------------------------------------------------------------------------------------

def contrast(foreground: str, background: str = "rgb(255, 255, 255)") -> float:
    def luminance(color: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", color)[:3]]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_text_contrast_is_at_least_4_5_to_1(chromium_driver, live_server: str) -> None:
    """WCAG 1.4.3: inactive query tab labels, and the language and datatype tags of values."""
    driver = chromium_driver
    driver.get(live_server + "/")
    wait_for_editor(driver)
    color = driver.execute_script(
        "return getComputedStyle(document.querySelector('.tabsList .tab:not(.active) a')).color;")
    assert contrast(color) >= 4.5, color
    driver.get(live_server + "/evidence/s2-swallow")
    colors = driver.execute_script(
        "return [...document.querySelectorAll('.lang, .datatype')].map(e => getComputedStyle(e).color);")
    assert colors and min(contrast(c) for c in colors) >= 4.5, set(colors)


# 6. Column headers, and labels on a phone ------------------------------------------------------------------------

def test_referred_to_by_has_column_headers_and_quotes(live_server: str) -> None:
    page = requests.get(live_server + "/resource/okanohara-daisuke", headers=BROWSER, timeout=30).text
    table = page.split('id="incoming"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'<th scope="col">([^<]+)</th>', table) == ["Subject", "Property", "Stated by the quote"]
    evidence = re.findall(r'<a href="/evidence/[^"]*"[^>]*>([^<]*)</a>', table)
    assert evidence and not any(text.startswith("jev:") for text in evidence), evidence
    assert any(html.unescape(text).startswith("“OKANOHARA Daisuke") for text in evidence)


def test_on_a_phone_each_stacked_cell_says_what_it_is(chromium_driver, live_server: str) -> None:
    driver = chromium_driver
    driver.set_window_size(390, 844)
    try:
        driver.get(live_server + "/resource/okanohara-daisuke")
        labels = driver.execute_script("""return [...document.querySelectorAll('#incoming tbody tr')].map(tr =>
            [...tr.cells].map(td => getComputedStyle(td, '::before').content));""")
        assert labels and all(row == ['"Subject: "', '"Property: "', '"Quote: "'] for row in labels), labels
        assert driver.execute_script("return document.documentElement.scrollWidth <= "
                                     "document.documentElement.clientWidth;")
    finally:
        driver.set_window_size(1400, 1000)


# 7. VoID ----------------------------------------------------------------------------------------------------------

def test_the_void_page_says_size_endpoint_and_dumps_first(chromium_driver, live_server: str) -> None:
    """In the first screen: triples, the endpoint, the dumps; then the partitions as two-column tables that agree
    with the RDF."""
    from selenium.webdriver.common.by import By

    driver = chromium_driver
    driver.get(live_server + "/.well-known/void")
    height = driver.execute_script("return window.innerHeight;")
    for selector in (f"a[href='{live_server}/sparql']", f"a[href='{live_server}/export/jaikg.ttl']",
                     "a[title='http://rdfs.org/ns/void#triples']"):
        element = driver.find_element(By.CSS_SELECTOR, "table#summary " + selector)
        assert driver.execute_script("return arguments[0].getBoundingClientRect().bottom;", element) < height
    headers = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "#class-partitions thead th")]
    assert headers == ["Class", "Entities"]
    assert [th.text for th in driver.find_elements(By.CSS_SELECTOR, "#property-partitions thead th")] == \
        ["Property", "Triples"]

    void = "http://rdfs.org/ns/void#"
    triples = list(ox.parse(requests.get(live_server + "/.well-known/void.ttl", timeout=30).content,
                            format=ox.RdfFormat.TURTLE))
    entities = {t.subject: int(t.object.value) for t in triples if t.predicate.value == void + "entities"}
    classes = {t.object.value: entities[t.subject] for t in triples if t.predicate.value == void + "class"}
    shown = driver.execute_script("""return [...document.querySelectorAll('#class-partitions tbody tr')].map(tr =>
        [tr.cells[0].querySelector('[title]').getAttribute('title'), tr.cells[1].textContent.replace(/,/g, '')]);""")
    assert {iri: int(n) for iri, n in shown} == classes


# 8. Small things ------------------------------------------------------------------------------------------------

def test_tables_and_figures_are_in_numeric_order(shipped_store: ox.Store) -> None:
    query = next(p for p in query_files() if p.stem == "33-tables-and-figures").read_text(encoding="utf-8")
    rows = [(row["kind"].value, row["number"].value)
            for row in shipped_store.query(query, use_default_graph_as_union=True)]
    assert rows == sorted(rows, key=lambda row: (row[0], [int(part) for part in row[1].split("-")]))
    assert ("https://w3id.org/jaikg/ontology#Figure", "1-2-10") in rows


def test_a_refused_update_has_a_title_in_words(chromium_driver, live_server: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    driver = chromium_driver
    driver.get(live_server + "/")
    wait = wait_for_editor(driver)
    driver.execute_script("window.jaikgYasgui.getTab().setQuery(arguments[0]);",
                          "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    driver.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    title = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, ".jaikg-query-error-title"))).text
    assert title == "Not allowed"
    assert "read-only" in driver.find_element(By.CSS_SELECTOR, ".jaikg-query-error-message").text


def test_an_evidence_page_does_not_repeat_its_own_description_among_its_facts(live_server: str) -> None:
    page = requests.get(live_server + "/evidence/s2-swallow", headers=BROWSER, timeout=30).text
    statements = page.split('id="properties"', 1)[1].split("</table>", 1)[0]
    facts = page.split('id="graph"', 1)[1].split("</table>", 1)[0]
    assert "rolled out" in statements
    assert 'href="/evidence/s2-swallow"' not in facts and "rolled out" not in facts
    assert 'href="/resource/swallow"' in facts
