"""The web views of issue 5: the dumps under /export/, /graph.json, and the /graph page driven in headless Chromium
(renders nodes, filters them, navigates to a node's Linked Data page on click)."""

from __future__ import annotations

import pytest
from flask import Flask
from rdflib.compare import isomorphic

from jaikg.export import FORMATS_BY_EXTENSION
from jaikg.loading import build_store
from jaikg.namespaces import RESOURCE
from jaikg.network import build_network
from jaikg.network_formats import write_network
from jaikg.server import create_app
from jaikg.server.blueprints import export as export_blueprint

from .test_export import QUAD_FORMATS, assert_same_dataset, reparse, store_part, union, without_statements
from .test_network import TABLE_1_2_3_PLAYERS


@pytest.fixture(scope="module")
def app(shipped_store) -> Flask:
    return create_app({"STORE": shipped_store, "TESTING": True})


@pytest.mark.parametrize("ext", sorted(FORMATS_BY_EXTENSION))
def test_dumps_download_with_their_name_and_round_trip(app, shipped_store, ext: str) -> None:
    response = app.test_client().get(f"/export/jaikg.{ext}")
    fmt = FORMATS_BY_EXTENSION[ext]
    assert response.status_code == 200
    assert response.mimetype == fmt.media_type
    assert response.headers["Content-Disposition"] == f'attachment; filename="jaikg.{ext}"'
    expected, actual = store_part(shipped_store, "all"), reparse(response.data, fmt.name)
    if fmt.name in QUAD_FORMATS:
        assert_same_dataset(expected, actual)
    else:
        assert isomorphic(union(expected), without_statements(union(actual)))


def test_dumps_are_computed_once(shipped_store, monkeypatch) -> None:
    calls: list[str] = []
    original = export_blueprint.write_export

    def counting(store, fmt, *args, **kwargs) -> None:
        calls.append(fmt)
        original(store, fmt, *args, **kwargs)

    monkeypatch.setattr(export_blueprint, "write_export", counting)
    client = create_app({"STORE": shipped_store}).test_client()
    first, second = client.get("/export/jaikg.ttl"), client.get("/export/jaikg.ttl")
    assert first.data == second.data
    assert calls == ["ttl"]


def test_a_dump_download_has_a_length_resumes_and_revalidates(app) -> None:
    """What a download of a large file needs (RFC 9110): its length, a range of it (to resume a broken download:
    206 with the bytes asked for), and a 304 for a copy still current."""
    client = app.test_client()
    whole = client.get("/export/jaikg.nq")
    assert int(whole.headers["Content-Length"]) == len(whole.data) > 0
    assert whole.headers["Accept-Ranges"] == "bytes"
    part = client.get("/export/jaikg.nq", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(whole.data)}"
    assert part.data == whole.data[100:200]
    again = client.get("/export/jaikg.nq", headers={"If-None-Match": whole.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    assert "max-age" in whole.headers["Cache-Control"]


def test_unknown_dump_is_404(app) -> None:
    assert app.test_client().get("/export/jaikg.csv").status_code == 404


def test_graph_json_filters_by_program_and_type(app) -> None:
    client = app.test_client()
    data = client.get("/graph.json?program=post-5g-project&types=Organization").get_json()
    ids = {node["id"] for node in data["nodes"]}
    assert TABLE_1_2_3_PLAYERS <= ids
    assert {node["category"] for node in data["nodes"]} == {"Organization"}
    assert client.get("/graph.json?program=no-such-program").status_code == 404
    unknown = client.get("/graph.json?types=Organization,Starship", headers={"Accept": "application/json"})
    assert unknown.status_code == 400 and "Starship" in unknown.get_json()["message"]
    assert client.get("/graph.json?types=university").status_code == 200, "a class name, in any case"


def test_dumps_show_the_graph_after_an_update() -> None:
    client = create_app({"STORE": build_store(), "UPDATE": True}).test_client()
    assert b"urn:jaikg:test:after" not in client.get("/export/jaikg.nt").data
    update = "INSERT DATA { GRAPH <urn:jaikg:test:g> { <urn:jaikg:test:after> <urn:jaikg:test:p> 1 } }"
    assert client.post("/sparql", data={"update": update}).status_code == 204
    assert b"urn:jaikg:test:after" in client.get("/export/jaikg.nt").data


def open_graph_page(browser, live_url: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(live_url + "/graph")
    WebDriverWait(browser, 30).until(
        lambda driver: driver.execute_script("return document.getElementById('network').dataset.ready === 'true'"))


def visible_nodes(browser) -> list[str]:
    return browser.execute_script("return window.jaikgNetwork.nodes(':visible').map(n => n.id())")


def test_graph_page_renders_and_filters(chromium_driver, live_server) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    open_graph_page(chromium_driver, live_server)
    everything = visible_nodes(chromium_driver)
    assert RESOURCE + "swallow" in everything and RESOURCE + "abeja" in everything
    assert chromium_driver.find_element(By.ID, "visible-count").text == str(len(everything))
    assert chromium_driver.find_elements(By.CSS_SELECTOR, "#network-canvas canvas")

    Select(chromium_driver.find_element(By.ID, "program-filter")).select_by_value(RESOURCE + "post-5g-project")
    around = set(visible_nodes(chromium_driver))
    assert TABLE_1_2_3_PLAYERS <= around
    assert RESOURCE + "tsuzumi" not in around

    chromium_driver.find_element(By.CSS_SELECTOR, "input.type-filter[value='Proposal']").click()
    without_proposals = set(visible_nodes(chromium_driver))
    assert TABLE_1_2_3_PLAYERS <= without_proposals
    assert not [n for n in without_proposals if "post-5g-proposal" in n]


def test_graph_page_search_highlights_and_click_opens_the_resource_page(chromium_driver, live_server) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    open_graph_page(chromium_driver, live_server)
    chromium_driver.find_element(By.ID, "network-search").send_keys("Swallow")
    highlighted = chromium_driver.execute_script("return window.jaikgNetwork.nodes('.highlighted').map(n => n.id())")
    assert RESOURCE + "swallow" in highlighted
    faded = chromium_driver.execute_script("return window.jaikgNetwork.nodes('.faded').map(n => n.id())")
    assert RESOURCE + "tsuzumi" in faded and RESOURCE + "aist" not in faded

    open_graph_page(chromium_driver, live_server)
    x, y = chromium_driver.execute_script(
        "const cy = window.jaikgNetwork, node = cy.$id(arguments[0]); cy.zoom(3); cy.center(node);"
        "const p = node.renderedPosition(); return [p.x, p.y];", RESOURCE + "nedo")
    canvas = chromium_driver.find_element(By.ID, "network-canvas")
    ActionChains(chromium_driver).move_to_element_with_offset(canvas, int(x - canvas.size["width"] / 2),
                                                      int(y - canvas.size["height"] / 2)).click().perform()
    WebDriverWait(chromium_driver, 15).until(lambda driver: "/resource/nedo" in driver.current_url)


def test_html_export_works_from_a_file(chromium_driver, shipped_store, tmp_path) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    page = tmp_path / "network.html"
    page.write_bytes(write_network(build_network(shipped_store, program="geniac"), "html"))
    chromium_driver.get(page.as_uri())
    WebDriverWait(chromium_driver, 30).until(
        lambda driver: driver.execute_script("return document.getElementById('network').dataset.ready === 'true'"))
    assert TABLE_1_2_3_PLAYERS <= set(visible_nodes(chromium_driver))


def test_graph_nodes_are_reachable_by_keyboard(chromium_driver, live_server) -> None:
    """Each node shown is in a list beside the drawing: one Tab stop, arrow keys move between the nodes, each named
    by its label; the focused node is highlighted in the drawing with its neighbours named; Enter opens its page,
    as a click does; the list follows the filters."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver = chromium_driver
    open_graph_page(driver, live_server)

    def press(key: str):
        ActionChains(driver).send_keys(key).perform()
        return driver.switch_to.active_element

    labels = driver.execute_script(
        "return Object.fromEntries(window.jaikgNetwork.nodes().map(n => [n.data('label'), n.id()]));")
    driver.find_element(By.ID, "network-search").click()
    focused = driver.switch_to.active_element
    for _ in range(20):  # the filters, then the node list
        focused = press(Keys.TAB)
        if focused.accessible_name in labels:
            break
    first = focused.accessible_name
    assert first in labels, "Tab reaches the nodes"
    highlighted = driver.execute_script("return window.jaikgNetwork.nodes('.highlighted').map(n => n.id())")
    assert highlighted == [labels[first]]

    second = press(Keys.ARROW_DOWN).accessible_name
    assert second in labels and second != first
    assert press(Keys.ARROW_UP).accessible_name == first
    assert press(Keys.END).accessible_name != first
    assert press(Keys.HOME).accessible_name == first

    for _ in range(len(labels)):
        if driver.switch_to.active_element.accessible_name == "NEDO":
            break
        press(Keys.ARROW_DOWN)
    assert driver.switch_to.active_element.accessible_name == "NEDO"
    details = driver.find_element(By.ID, "node-details").text
    assert "NEDO" in details and "Post-5G" in details, "the focused node's neighbours are named"
    assert driver.execute_script("return window.jaikgNetwork.nodes('.highlighted').map(n => n.id())") == [
        RESOURCE + "nedo"]

    assert press(Keys.TAB).accessible_name not in labels, "the list is one Tab stop"

    Select(driver.find_element(By.ID, "program-filter")).select_by_value(RESOURCE + "post-5g-project")
    listed = driver.execute_script(
        "return [...document.querySelectorAll('#node-list a')].filter(a => a.getClientRects().length)"
        ".map(a => a.textContent.trim())")
    assert sorted(listed) == sorted(driver.execute_script(
        "return window.jaikgNetwork.nodes(':visible').map(n => n.data('label'))"))

    open_graph_page(driver, live_server)
    driver.find_element(By.ID, "network-search").click()
    for _ in range(20):
        if press(Keys.TAB).accessible_name in labels:
            break
    for _ in range(len(labels)):
        if driver.switch_to.active_element.accessible_name == "NEDO":
            break
        press(Keys.ARROW_DOWN)
    press(Keys.ENTER)
    WebDriverWait(driver, 15).until(lambda d: "/resource/nedo" in d.current_url)


def node_details(driver, node: str) -> str:
    """What the page says of `node` when it is focused in the Nodes list (as hovering it does)."""
    from selenium.webdriver.common.by import By

    link = driver.find_element(By.CSS_SELECTOR, f"#node-list a[data-node='{node}']")
    driver.execute_script("arguments[0].scrollIntoView(); arguments[0].focus();", link)
    return driver.find_element(By.ID, "node-details").text


def test_graph_page_program_filter_shows_only_the_programs_own_relations(chromium_driver, live_server) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from .test_network import PROGRAM_VIEWS

    open_graph_page(chromium_driver, live_server)
    for program in ("act-x", "post-5g-project"):
        Select(chromium_driver.find_element(By.ID, "program-filter")).select_by_value(RESOURCE + program)
        assert set(visible_nodes(chromium_driver)) == PROGRAM_VIEWS[program]
        assert chromium_driver.find_element(By.ID, "visible-count").text == str(len(PROGRAM_VIEWS[program]))


def test_graph_node_descriptions_read_as_sentences(chromium_driver, live_server) -> None:
    """Each link is said from the node's side ("developed by AIST", not "AIST developed it"), and a name ending
    in a full stop does not get a second one."""
    open_graph_page(chromium_driver, live_server)
    swallow = node_details(chromium_driver, RESOURCE + "swallow")
    assert swallow.startswith("Swallow (Model")
    assert "developed by AIST" in swallow  # Section 2: "… Tokyo Institute of Technology, and AIST rolled out Swallow"
    assert "Swallow 13B" in swallow and "Swallow 13B member of family it" not in swallow
    abci = node_details(chromium_driver, RESOURCE + "abci")
    assert "operated by AIST" in abci  # Section 3: "built and operated by AIST"
    assert "used by Large-scale Language Model Building Support Program" in abci
    for node in ("swallow", "abci", "abeja", "nedo", "swallow-13b"):
        text = node_details(chromium_driver, RESOURCE + node)
        assert " it;" not in text and not text.endswith(" it.") and "used compute" not in text, text
        assert text.endswith(".") and not text.endswith(".."), text
    assert node_details(chromium_driver, RESOURCE + "abeja") == (
        "ABEJA, Inc. (Organization): selected for Post-5G project proposal of ABEJA, Inc.")


def test_graph_search_announces_the_matches_and_narrows_the_node_list(chromium_driver, live_server) -> None:
    from selenium.webdriver.common.by import By

    def listed() -> list[str]:
        return chromium_driver.execute_script(
            "return [...document.querySelectorAll('#node-list a')].filter(a => a.getClientRects().length)"
            ".map(a => a.dataset.node)")

    open_graph_page(chromium_driver, live_server)
    status = chromium_driver.find_element(By.ID, "search-status")
    assert status.get_attribute("role") == "status" or status.get_attribute("aria-live") == "polite"
    search = chromium_driver.find_element(By.ID, "network-search")
    search.send_keys("zzzz")
    assert "no node" in status.text.lower() and "zzzz" in status.text
    assert listed() == []

    search.clear()
    search.send_keys("Swallow")
    highlighted = chromium_driver.execute_script("return window.jaikgNetwork.nodes('.highlighted').map(n => n.id())")
    assert RESOURCE + "swallow" in highlighted and RESOURCE + "swallow-13b" in highlighted
    assert status.text.startswith(f"{len(highlighted)} nodes match")
    assert sorted(listed()) == sorted(highlighted)

    search.clear()
    search.send_keys(" ")
    assert len(listed()) == len(visible_nodes(chromium_driver)), "an empty search lists every node shown"


def test_graph_page_has_the_site_header_fills_the_window_and_does_not_clutter(chromium_driver, live_server) -> None:
    from selenium.webdriver.common.by import By

    driver = chromium_driver
    driver.get(live_server + "/ontology")
    site_nav = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "header.site a")]
    open_graph_page(driver, live_server)
    assert [a.text for a in driver.find_elements(By.CSS_SELECTOR, "header.site a")] == site_nav
    assert driver.execute_script("return document.documentElement.scrollHeight <= window.innerHeight"), \
        "the page fits the window: no band below the drawing"
    bottom = driver.execute_script("return document.getElementById('network').getBoundingClientRect().bottom")
    below = driver.execute_script("return (document.querySelector('footer.site') || {offsetHeight: 0}).offsetHeight")
    assert abs(bottom + below - driver.execute_script("return window.innerHeight")) <= 2

    overlaps = driver.execute_script("""
        const cy = window.jaikgNetwork, boxes = [];
        cy.nodes(':visible').forEach(n => {
          const size = parseFloat(n.style('font-size')) * cy.zoom();
          if (n.style('label') && size >= parseFloat(n.style('min-zoomed-font-size') || 0)) {
            boxes.push(n.boundingBox({includeNodes: false, includeEdges: false, includeLabels: true}));
          }
        });
        let count = 0;
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i], b = boxes[j];
          if (a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2) count++;
        }
        return [boxes.length, count];""")
    assert overlaps[0] > 0, "some labels are shown at the first zoom"
    assert overlaps[1] == 0, f"{overlaps[1]} pairs of overlapping labels at the first zoom"


def test_graph_page_on_a_phone_opens_on_a_readable_drawing(chromium_driver, live_server) -> None:
    driver = chromium_driver
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        open_graph_page(driver, live_server)
        zoom, node_px = driver.execute_script("""
            const cy = window.jaikgNetwork, hub = cy.$id(arguments[0]);
            return [cy.zoom(), hub.renderedOuterWidth()];""", RESOURCE + "aist")
        assert node_px >= 16, f"AIST, a hub, is {node_px:.1f} px wide at the first zoom (zoom {zoom:.2f})"
        assert driver.execute_script("return document.getElementById('network').getBoundingClientRect().width") <= 390
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_graph_page_says_it_is_loading_and_when_loading_fails(chromium_driver, live_server) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = chromium_driver
    hold = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {
        "source": "window.fetch = () => new Promise(() => {});"})  # the answer never comes
    try:
        driver.get(live_server + "/graph")
        status = driver.find_element(By.ID, "network-status")
        WebDriverWait(driver, 10).until(lambda d: "loading" in status.text.lower())
    finally:
        driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": hold["identifier"]})

    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*graph.json*"]})
    try:
        driver.get(live_server + "/graph")
        status = driver.find_element(By.ID, "network-status")
        WebDriverWait(driver, 15).until(lambda d: "could not load" in status.text.lower())
        assert status.is_displayed()
    finally:
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})


def test_graph_page_above_the_cap_names_the_count_and_narrows_by_program(chromium_driver, shipped_store) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    from tests.live import thread_server

    from .test_network import PROGRAM_VIEWS

    driver = chromium_driver
    with thread_server({"STORE": shipped_store, "GRAPH_MAX_NODES": 40}) as base_url:
        driver.get(base_url + "/graph")
        status = driver.find_element(By.ID, "network-status")
        WebDriverWait(driver, 30).until(lambda d: "40" in status.text)
        assert f"{len(build_network(shipped_store))} nodes" in status.text, status.text
        assert "program" in status.text.lower(), status.text
        assert not driver.execute_script("return !!window.jaikgNetwork && window.jaikgNetwork.nodes().length"), \
            "nothing is drawn"

        Select(driver.find_element(By.ID, "program-filter")).select_by_value(RESOURCE + "act-x")
        WebDriverWait(driver, 30).until(
            lambda d: d.execute_script("return !!window.jaikgNetwork && window.jaikgNetwork.nodes().length > 0"))
        assert set(visible_nodes(driver)) == PROGRAM_VIEWS["act-x"]
        assert driver.find_element(By.ID, "visible-count").text == "3"
        assert "40" not in status.text
