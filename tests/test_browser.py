"""Flows a person clicks through, in Debian's Chromium driven by Playwright."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_search_filter_and_open_a_program(page, live_server, seeded):
    page.goto(live_server.url + "/")
    page.get_by_label("Search programs").fill("cleft")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", name="6 programs")).to_be_visible()

    # Narrow to Guatemala with the filter panel.
    page.locator("summary", has_text="Country").click()
    page.get_by_label("Guatemala").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"[?&]country=GT"))
    expect(page.get_by_role("heading", name="1 program", exact=True)).to_be_visible()
    expect(page.get_by_role("list", name="Active filters")).to_contain_text("Guatemala")

    page.get_by_role("link", name="Smile Network International").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Smile Network International")
    expect(page.get_by_text("2 surgeons per mission")).to_be_visible()
    expect(page.get_by_text("Maureen Cahill")).to_be_visible()


def test_removing_a_chip_widens_the_results(page, live_server, seeded):
    page.goto(live_server.url + "/programs/?specialty=cleft-lip-and-palate&country=GT")
    expect(page.get_by_role("heading", name="1 program", exact=True)).to_be_visible()
    page.get_by_role("link", name="Remove filter: Guatemala").click()
    expect(page.get_by_role("heading", name="6 programs")).to_be_visible()


def test_sort_applies_on_change_with_javascript(page, live_server, seeded):
    page.goto(live_server.url + "/programs/")
    page.get_by_label("Sort by").select_option("verified")
    expect(page).to_have_url(re.compile(r"sort=verified"))
    expect(page.locator(".card__title").first).to_have_text("Mission: Restore")


def test_phone_width_has_no_horizontal_scrolling(page, live_server, seeded):
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ["/", "/programs/", "/programs/viet-duc-university-hospital/", "/countries/"]:
        page.goto(live_server.url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, overflow)


def test_skip_link_is_the_first_stop_for_the_keyboard(page, live_server, seeded):
    page.goto(live_server.url + "/programs/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
