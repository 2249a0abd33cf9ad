"""The Linked Data pages in a real browser (headless Debian Chromium), on a phone-sized screen: the VoID link of
every page opens a page, not a download; the alignments document opens from the ontology page; an entity's page
shows the evidence of the statements pointing to it. None of them makes the page scroll sideways."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

PHONE = (375, 800)


@pytest.fixture
def phone(chromium_driver) -> Iterator:
    """The browser, 375 CSS pixels wide."""
    chromium_driver.set_window_size(*PHONE)
    try:
        yield chromium_driver
    finally:
        chromium_driver.set_window_size(1400, 1000)


def assert_fits(driver) -> None:
    width = driver.execute_script("return document.documentElement.clientWidth;")
    scroll = driver.execute_script("return document.documentElement.scrollWidth;")
    assert scroll <= width, f"{driver.current_url} is {scroll}px wide in a {width}px window"


def test_the_void_link_opens_a_page_in_a_browser(phone, live_server: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    phone.get(live_server + "/resource/swallow")
    phone.find_element(By.CSS_SELECTOR, "header.site nav a[href='/.well-known/void']").click()
    WebDriverWait(phone, 30).until(ec.url_to_be(live_server + "/.well-known/void"))
    endpoint = WebDriverWait(phone, 30).until(ec.presence_of_element_located(
        (By.CSS_SELECTOR, f"table#summary a[href='{live_server}/sparql']")))
    assert endpoint.is_displayed() and phone.find_element(By.TAG_NAME, "h1").text
    assert_fits(phone)


def test_the_alignments_open_from_the_ontology_page(phone, live_server: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    phone.get(live_server + "/ontology")
    phone.find_element(By.CSS_SELECTOR, "p.related a[href='/ontology/alignments']").click()
    WebDriverWait(phone, 30).until(ec.url_to_be(live_server + "/ontology/alignments"))
    assert phone.find_elements(By.CSS_SELECTOR, "table#alignments a[href='/ontology/AIModel']")
    assert_fits(phone)


def test_the_evidence_of_incoming_links_is_shown(phone, live_server: str) -> None:
    """tsuzumi-7b is a member of the family tsuzumi by the quote of jev:s2-tsuzumi-versions (data/section-2.trig)."""
    from selenium.webdriver.common.by import By

    phone.get(live_server + "/resource/tsuzumi")
    row = phone.find_element(By.XPATH, "//table[@id='incoming']//tr[.//a[@href='/resource/tsuzumi-7b']]")
    assert row.find_elements(By.CSS_SELECTOR, "a[href='/evidence/s2-tsuzumi-versions']")
    assert_fits(phone)
