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
