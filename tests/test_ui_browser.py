"""The query UI in headless Chromium: YASGUI loads from this server only, runs a query, and a result IRI leads to
its Linked Data page."""

from __future__ import annotations

import json
import re

import pytest

from jaikg import resources

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
    assert expected and set(expected) <= set(tab_names)

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
