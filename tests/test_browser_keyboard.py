"""Keyboard only: the search, the filters and the submission form are used with Tab, typing,
Space and Enter, never the mouse, and every stop shows where the focus is."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from submissions.models import Submission

pytestmark = pytest.mark.browser

FOCUS_SHOWN = """el => {
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  return outline || style.boxShadow !== "none";
}"""


def tab_to(page, target, limit=250):
    """Press Tab until `target` has the focus, checking that each element the focus stops on
    on the way shows it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        if focused.count() and focused.evaluate("el => el.matches(':focus-visible')"):
            assert focused.evaluate(FOCUS_SHOWN), focused.evaluate("el => el.outerHTML")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


def test_search_and_filters_by_keyboard(page, live_server, seeded):
    page.goto(live_server.url + "/")
    tab_to(page, page.get_by_label("Search programs"))
    page.keyboard.type("cleft")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="6 programs")).to_be_visible()

    country = page.locator("summary", has_text="Country")
    tab_to(page, country)
    page.keyboard.press("Enter")  # opens the group
    tab_to(page, page.get_by_label("Guatemala"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Apply filters"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]country=GT"))
    expect(page.get_by_role("heading", name="1 program", exact=True)).to_be_visible()


def test_the_submission_form_by_keyboard(page, live_server, seeded):
    cache.clear()
    page.goto(live_server.url + "/submit/")
    typed = [
        (page.get_by_label(re.compile(r"^Organization")), "Altiplano Hand Surgery"),
        (page.get_by_label("Program name"), "Hand surgery in El Alto"),
        (page.get_by_label("What the program does"), "Hand and burn contracture surgery."),
        (page.locator("#places-group").get_by_label("Country").first, "Bolivia"),
        (page.locator("#places-group").get_by_label("City or region").first, "El Alto"),
        (page.get_by_label("How often"), "Missions each year"),
        (page.locator("#contacts-group").get_by_label("Name").first, "Dr. Elena Mamani"),
        (page.locator("#contacts-group").get_by_label("E-mail").first, "elena@altiplano.example"),
        (page.get_by_label("Your name"), "Elena Mamani"),
        (page.get_by_label("Your e-mail"), "elena@altiplano.example"),
    ]
    for field, text in typed:
        tab_to(page, field)
        page.keyboard.type(text)  # a focused select picks the option typed
    expect(page.locator("#places-group").get_by_label("Country").first).to_have_value("BO")
    expect(page.get_by_label("How often")).to_have_value("per-year")
    # A row added from the keyboard takes the focus.
    tab_to(page, page.locator("#places-group").get_by_role("button", name="Add another place"))
    page.keyboard.press("Enter")
    expect(page.locator("#places-group [data-row]").nth(1)).to_be_visible()
    tab_to(page, page.get_by_role("button", name="Send for review"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/submit/thanks/$"))
    assert Submission.objects.get().program.name == "Hand surgery in El Alto"
