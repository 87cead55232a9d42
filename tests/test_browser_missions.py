"""The missions and impact pages in Debian's Chromium, driven by Playwright."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from .conftest import ROOT
from .factories import ProgramFactory
from .mission_factories import MissionFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def mission_seed(seeded):
    call_command("loaddata", ROOT / "fixtures" / "missions.json", verbosity=0)


def test_find_a_mission_in_the_window_you_can_travel(page, live_server, mission_seed):
    program = ProgramFactory(name="Andes Cleft Program", places=["PE"])
    MissionFactory(program=program, title="Lima cleft mission", month=(2030, 3))
    MissionFactory(program=program, title="Cusco autumn mission", month=(2030, 10))
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Missions").click()
    expect(page.get_by_role("heading", name="2 upcoming missions")).to_be_visible()

    page.get_by_label("From").fill("2030-03")
    page.get_by_label("To").fill("2030-05")
    page.get_by_role("button", name="Find missions").click()
    expect(page).to_have_url(re.compile(r"from=2030-03&to=2030-05"))
    expect(page.get_by_role("heading", name="1 upcoming mission", exact=True)).to_be_visible()
    expect(page.get_by_text("March 2030")).to_be_visible()
    expect(page.get_by_role("link", name="Cusco autumn mission")).to_have_count(0)

    # The seed's Córdoba mission is past, with its results (its dates are not known, so
    # no window finds it).
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Missions").click()
    page.get_by_role("link", name="Past, with results").click()
    expect(page.get_by_text("more than 160")).to_be_visible()
    page.get_by_role("link", name="Córdoba mission").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Córdoba mission")
    expect(page.get_by_text("Nuevo Hospital San Roque").first).to_be_visible()

    page.goto(live_server.url + "/missions/?from=nonsense")
    expect(page.get_by_role("alert")).to_contain_text("is not a month or a day")


def test_impact_page_charts_tables_and_map(page, live_server, mission_seed):
    page.goto(live_server.url + "/impact/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Impact")
    expect(page.locator("#total-trips dd")).to_have_text("29")
    expect(page.locator("#total-surgeries dd")).to_have_text("more than 326,438")

    # Choosing another figure redraws the breakdowns (the select submits itself).
    page.get_by_label("Show the breakdowns of").select_option("patients-treated")
    expect(page).to_have_url(re.compile(r"metric=patients-treated"))
    table = page.get_by_role("table", name=re.compile("Patients treated by country"))
    expect(table.get_by_role("row")).to_have_count(4)  # header, Vietnam, Pakistan, total
    expect(table).to_contain_text("Vietnam")
    chart = page.locator("#chart-by-country svg")
    expect(chart).to_be_visible()
    assert chart.locator("rect").count() == 2

    # The map's countries are links to their pages.
    palestine = page.get_by_role("link", name="Palestine: 4 programs")
    expect(palestine).to_have_count(1)
    box = palestine.bounding_box()
    assert box and box["width"] > 0  # drawn from the shipped SVG
    palestine.click()
    expect(page).to_have_url(re.compile(r"/countries/ps/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Palestine")


def test_missions_and_impact_fit_a_phone(page, live_server, mission_seed):
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ["/missions/", "/impact/", "/missions/mission-plasticos-cordoba/"]:
        page.goto(live_server.url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, overflow)
