"""Writing to a program through its page, in Debian's Chromium driven by Playwright."""

import pytest
from playwright.sync_api import expect

from .factories import ProgramFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def program(seeded):
    from django.core.cache import cache

    cache.clear()
    return ProgramFactory(
        name="Reachable program",
        contacts=[{"name": "Dr. Reachable", "email": "reachable@clinic.example"}],
    )


def test_write_to_a_program_and_see_the_confirmation(page, live_server, program, mailoutbox):
    page.goto(live_server.url + program.get_absolute_url())
    expect(page.get_by_text("reachable@clinic.example")).to_have_count(0)
    page.get_by_role("link", name="Write to this program").click()
    page.get_by_label("Your name").fill("Dr. Ada Sender")
    page.get_by_label("Your e-mail address").fill("ada@sender.example")
    page.get_by_label("Message").fill("I could join your March mission as a hand surgeon.")
    page.get_by_role("button", name="Send message").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Your message has been sent to Reachable program."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Reachable program")
    relayed, copy = mailoutbox
    assert relayed.to == ["reachable@clinic.example"]
    assert relayed.reply_to == ['"Dr. Ada Sender" <ada@sender.example>']
    assert copy.to == ["ada@sender.example"]


def test_a_mistake_is_explained_next_to_the_field_and_nothing_typed_is_lost(
    page, live_server, program, mailoutbox
):
    page.goto(live_server.url + program.get_absolute_url() + "contact/")
    # With the keyboard only: type in each field, Tab to the next, Enter on the button.
    page.get_by_label("Your name").focus()
    page.keyboard.type("Dr. Ada Sender")
    page.keyboard.press("Tab")
    page.keyboard.type("ada-at-sender.example")
    page.keyboard.press("Tab")
    page.keyboard.type("I could join your March mission as a hand surgeon.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send message")).to_be_focused()
    page.keyboard.press("Enter")

    email = page.get_by_label("Your e-mail address")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value("Dr. Ada Sender")
    expect(page.get_by_label("Message")).to_have_value(
        "I could join your March mission as a hand surgeon."
    )
    assert mailoutbox == []

    email.fill("ada@sender.example")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("status")).to_contain_text(
        "A copy is on its way to ada@sender.example."
    )
    assert len(mailoutbox) == 2


def test_the_program_page_breaks_no_content_security_rule(page, live_server, program):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(live_server.url + program.get_absolute_url())
    expect(page.locator('script[type="application/ld+json"]')).to_have_count(1)
    assert violations == []
