"""The submission flow in a real browser: an organization submits a program, it stays out of
sight, a moderator approves it in the admin, and it appears in the list and the search."""

import re

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from playwright.sync_api import expect

from submissions.models import Submission
from tests.factories import submission_post

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def fill_submission(page):
    page.get_by_label(re.compile(r"^Organization")).fill("Altiplano Hand Surgery")
    page.get_by_label("Program name").fill("Hand surgery in El Alto")
    page.get_by_label("What the program does").fill("Hand and burn contracture surgery.")
    page.locator("#places-group").get_by_label("Country").first.select_option("BO")
    page.locator("#places-group").get_by_label("City or region").first.fill("El Alto")
    page.get_by_label("Hand surgery", exact=True).check()
    page.locator("#staffing-group").get_by_label("Role").first.select_option("surgeon")
    page.locator("#staffing-group").get_by_label("At least").first.fill("2")
    page.locator("#staffing-group").get_by_label("Trainees accepted").first.check()
    page.get_by_label("How often").select_option("per-year")
    page.get_by_label("Languages spoken on site").fill("Spanish, Aymara")
    contacts = page.locator("#contacts-group")
    contacts.get_by_label("Name").first.fill("Dr. Elena Mamani")
    contacts.get_by_label("E-mail").first.fill("elena@altiplano.example")
    contacts.get_by_label("agrees to have their name shown").first.check()
    page.get_by_label("Your name").fill("Elena Mamani")
    page.get_by_label("Your e-mail").fill("elena@altiplano.example")


def test_submit_moderate_and_find_a_program(page, live_server, seeded):
    User.objects.create_superuser("moderator", "mod@example.org", "a-long-password-1")

    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Submit a program").click()
    # Empty extra rows are tucked away until asked for.
    expect(page.locator("#places-group [data-row]").nth(1)).to_be_hidden()
    page.locator("#places-group").get_by_role("button", name="Add another place").click()
    expect(page.locator("#places-group [data-row]").nth(1)).to_be_visible()

    # A mistake first: everything typed survives the round trip.
    fill_submission(page)
    page.get_by_label("Your e-mail").fill("elena@")
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_text("Everything you typed is still here")).to_be_visible()
    expect(page.get_by_label("Program name")).to_have_value("Hand surgery in El Alto")
    expect(page.locator("#contacts-group").get_by_label("Name").first).to_have_value(
        "Dr. Elena Mamani"
    )
    page.get_by_label("Your e-mail").fill("elena@altiplano.example")
    page.get_by_role("button", name="Send for review").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you: your program was received"
    )
    reference = Submission.objects.get().reference
    expect(page.get_by_text(reference)).to_be_visible()

    # Not public yet.
    page.goto(live_server.url + "/programs/?q=Alto")
    expect(page.get_by_role("heading", name="0 programs")).to_be_visible()

    # A moderator approves it from the queue.
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill("moderator")
    page.get_by_label("Password").fill("a-long-password-1")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#moderation-queue")).to_contain_text("1 entry waiting")
    page.locator("#moderation-queue").get_by_role("link", name=reference).click()
    expect(page.get_by_text("Hand surgery in El Alto").first).to_be_visible()
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".messagelist")).to_contain_text(f"Approved and published {reference}")

    # Now in the list and the search.
    page.goto(live_server.url + "/programs/?q=Alto")
    expect(page.get_by_role("heading", name="1 program", exact=True)).to_be_visible()
    page.get_by_role("link", name="Hand surgery in El Alto").click()
    expect(page).to_have_url(re.compile(r"/programs/hand-surgery-in-el-alto/$"))
    expect(page.get_by_text("Spanish, Aymara")).to_be_visible()
    expect(page.get_by_text("Dr. Elena Mamani")).to_be_visible()


def test_a_listed_organization_is_suggested_as_one_types_and_joined(page, live_server, seeded):
    page.goto(live_server.url + "/submit/")
    field = page.get_by_label(re.compile(r"^Organization"))
    field.press_sequentially("smi", delay=30)
    suggestions = page.locator("#organization-suggestions option")
    expect(suggestions).to_have_count(2)
    expect(suggestions.first).to_have_attribute("value", "Smile Network International")
    expect(suggestions.last).to_have_attribute("value", "Operation Smile")
    fill_submission(page)
    field.fill("Operation Smile")
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you: your program was received"
    )
    submission = Submission.objects.get()
    assert not submission.is_new_organization
    assert submission.program.organization.slug == "operation-smile"


def test_a_moderator_finds_the_organization_to_merge_into_by_searching(
    page, live_server, seeded, client
):
    User.objects.create_superuser("moderator", "mod@example.org", "a-long-password-1")
    client.post("/submit/", submission_post(organization_name="Smiles for Peru Team"))
    submission = Submission.objects.get()
    assert submission.is_new_organization
    page.goto(live_server.url + f"/admin/submissions/submission/{submission.pk}/change/")
    page.get_by_label("Username").fill("moderator")
    page.get_by_label("Password").fill("a-long-password-1")
    page.get_by_role("button", name="Log in").click()
    # The admin's search box for the organization (select2), not a list of them all.
    page.locator("#id_merge_into + .select2").click()
    page.locator(".select2-search__field").fill("smile")
    page.locator(".select2-results__option", has_text="Operation Smile").click()
    expect(page.locator("#id_merge_into + .select2")).to_contain_text("Operation Smile")
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".messagelist")).to_contain_text("Operation Smile")
    submission.refresh_from_db()
    assert submission.program.organization.slug == "operation-smile"
    assert submission.program.status == "published"


def test_suggest_an_update_from_a_program_page(page, live_server, seeded):
    page.goto(live_server.url + "/programs/nuevo-amanecer/")
    page.get_by_role("link", name="Suggest an update").click()
    page.get_by_label("New mission dates").check()
    page.get_by_label("Tell us more").fill("Next mission in March 2027.")
    page.get_by_role("button", name="Send the update").click()
    expect(page).to_have_url(re.compile(r"/programs/nuevo-amanecer/$"))
    expect(page.get_by_role("status")).to_contain_text("Thank you. Your update (reference U-")
