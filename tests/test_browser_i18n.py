"""The language switcher and the browser's language, in Debian's Chromium."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_switcher_changes_the_language_and_stays_on_the_page(page, live_server, seeded):
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(live_server.url + "/programs/?country=PE&sort=verified")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # With JavaScript, choosing a language is enough: the button stays hidden.
    expect(page.get_by_role("button", name="Change language")).to_be_hidden()

    page.get_by_label("Language").select_option(label="Deutsch")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page).to_have_url(re.compile(r"/programs/\?country=PE&sort=verified$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme")
    expect(page.get_by_role("list", name="Aktive Filter")).to_contain_text("Peru")
    expect(page.get_by_label("Sortieren nach")).to_have_value("verified")

    # The choice is remembered on the next pages.
    page.get_by_role("link", name="Länder", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Länder")
    expect(page.get_by_role("link", name="Schweiz")).to_be_visible()

    page.get_by_label("Sprache", exact=True).select_option(label="Français")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pays")
    expect(page.get_by_role("link", name="Suisse")).to_be_visible()
    # Nothing broke the strict Content-Security-Policy on the way.
    assert not [e for e in errors if "Content Security Policy" in e]


def test_switcher_works_without_javascript(browser, live_server, seeded):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/specialties/")
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page).to_have_url(re.compile(r"/specialties/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Especialidades")
    context.close()


def test_the_browsers_language_is_honoured(browser, live_server, seeded):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name="Rechercher", exact=True)).to_be_visible()
    expect(page.get_by_label("Langue")).to_have_value("fr")
    context.close()
