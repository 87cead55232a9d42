"""Facet counts of the filter panel, checked against counts worked out by hand from the seed
documents, and their cost in queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_countries.fields import Country

from programs.models import Specialty
from programs.search import normalize
from tests.factories import OrganizationFactory, ProgramFactory, full_program
from tests.panel import assert_panel_counts_the_programs_own_rows

pytestmark = pytest.mark.django_db


def option(text, name, value):
    """(label text with its count, disabled?) of one checkbox of the filter panel."""
    pattern = (
        r'<label class="check[^"]*"><input type="checkbox" name="'
        + re.escape(name)
        + r'" value="'
        + re.escape(value)
        + r'"[^>]*?( disabled)?> <span>(.*?) <span class="count">\((\d+)\)</span></span></label>'
    )
    match = re.search(pattern, text)
    assert match, (name, value)
    return int(match.group(3)), bool(match.group(1))


def panel(client, query=""):
    response = client.get(f"/programs/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_unfiltered_counts_match_the_seed(client):
    text = panel(client)
    # Guatemala: AICPE Onlus and Smile Network International.
    assert option(text, "country", "GT") == (2, False)
    # Palestine: Gaza Plastic Surgery, MAP and IDEALS, MedGlobal, PCRF.
    assert option(text, "country", "PS") == (4, False)
    assert option(text, "specialty", "cleft-lip-and-palate") == (6, False)
    # Latin America: AICPE (PY, GT), Caritas Felices (PE), Nuevo Amanecer (MX), Smile Network
    # (HT, GT), Triana (CO), Mission Plasticos (AR).
    assert option(text, "region", "latin-america") == (6, False)


def test_counts_apply_the_other_filters(client):
    text = panel(client, "specialty=cleft-lip-and-palate")
    # Cleft programs in Guatemala: Smile Network only; in Palestine: none.
    assert option(text, "country", "GT") == (1, False)
    assert option(text, "country", "PS") == (0, True)
    assert option(text, "region", "latin-america") == (3, False)
    # The specialty facet itself ignores the specialty filter: ticking another adds to it.
    assert option(text, "specialty", "cleft-lip-and-palate") == (6, False)


def test_a_facet_ignores_its_own_filter(client):
    text = panel(client, "country=GT")
    assert option(text, "country", "GT") == (2, False)
    assert option(text, "country", "PS") == (4, False)
    # Other facets count within Guatemala: AICPE and Smile Network, one of them cleft.
    assert option(text, "specialty", "cleft-lip-and-palate") == (1, False)


def test_counts_with_the_search(client):
    text = panel(client, "q=cleft")
    assert option(text, "country", "VN") == (1, False)  # Operation Smile Vietnam
    assert option(text, "country", "PS") == (0, True)


def test_each_count_is_what_ticking_it_gives(client):
    base = "specialty=cleft-lip-and-palate&trainees=yes"
    text = panel(client, base)
    for name, value in [
        ("country", "GT"),
        ("country", "PH"),
        ("region", "asia"),
        ("role", "surgeon"),
        ("role", "plastic-surgery-resident"),
        ("frequency", "per-year"),
        ("frequency", "year-round"),
        ("specialty", "burns"),
    ]:
        shown, _disabled = option(text, name, value)
        if name == "specialty":
            query = f"trainees=yes&specialty={value}"
        else:
            query = f"{base}&{name}={value}"
        result = client.get(f"/programs/?{query}").context["result_count"]
        assert shown == result, (name, value)


def test_trainees_count(client):
    text = panel(client)
    count, _ = option(text, "trainees", "yes")
    assert count == client.get("/programs/?trainees=yes").context["result_count"]
    assert count > 0


def test_a_ticked_option_stays_enabled_even_at_zero(client):
    # No cleft program works in Palestine: both ticked options count 0, and stay usable
    # so that they can be unticked.
    text = panel(client, "country=PS&specialty=cleft-lip-and-palate")
    assert option(text, "country", "PS") == (0, False)
    assert option(text, "specialty", "cleft-lip-and-palate") == (0, False)
    assert re.search(r'value="cleft-lip-and-palate"[^>]*checked', text)
    assert option(text, "country", "GT") == (1, False)  # cleft in Guatemala: can be added
    assert option(text, "country", "MX") == (1, False)
    assert option(text, "country", "IQ") == (0, True)  # nothing there: greyed out


def test_every_country_with_a_program_is_offered_even_when_filtered_out(client):
    unfiltered = re.findall(r'name="country" value="(\w\w)"', panel(client))
    filtered = re.findall(r'name="country" value="(\w\w)"', panel(client, "q=cleft"))
    assert unfiltered == filtered
    assert len(unfiltered) == 22  # the countries of the seed documents' places


def many_countries(n=30):
    """Besides the seed's 22 countries, `n` more with 1 to n programs each: Norway the most."""
    from django.utils import timezone
    from django_countries import countries as all_countries

    from directory.pagecache import content_changed
    from programs.models import Place, Program
    from tests.factories import OrganizationFactory

    seed = set(re.findall(r'name="country" value="(\w\w)"', panel_for_countries()))
    codes = [country.code for country in all_countries]
    extra = [code for code in codes if code not in seed and code != "NO"][: n - 1]
    wanted = [(code, i) for rank, code in enumerate(["NO", *extra]) for i in range(n - rank)]
    # Written in bulk and refreshed once, as the generator writes a large directory: made
    # one by one, the 465 programs took most of each test's time (20 queries a program).
    organization = OrganizationFactory()
    programs = Program.objects.bulk_create(
        Program(
            organization=organization,
            name=f"Program {code} {i}",
            slug=f"program-{code.lower()}-{i}",
            status=Program.Status.PUBLISHED,
            published_at=timezone.now(),
            frequency=Program.Frequency.YEAR_ROUND,
        )
        for code, i in wanted
    )
    Place.objects.bulk_create(
        Place(program=program, country=code)
        for program, (code, _i) in zip(programs, wanted, strict=True)
    )
    Program.objects.filter(pk__in=[program.pk for program in programs]).refresh_search()
    content_changed()  # bulk writes send no signal (directory/pagecache.py)
    return ["NO", *extra]


def panel_for_countries(query="countries=all"):
    from django.test import Client

    return panel(Client(), query)


def test_with_many_countries_the_filter_offers_those_with_most_programs(client):
    added = many_countries()
    text = panel(client)
    offered = re.findall(r'name="country" value="(\w\w)"', text)
    assert len(offered) == 24
    by_name = sorted(offered, key=lambda code: normalize(Country(code).name))
    assert offered == by_name  # still in alphabetical order
    assert "NO" in offered and added[-1] not in offered  # 30 programs in Norway, 1 in the last
    total = len(set(re.findall(r'name="country" value="(\w\w)"', panel(client, "countries=all"))))
    assert total == 22 + 30
    more = re.search(r'<a href="\?([^"]*)#filters-heading">(\d+) more countries</a>', text)
    assert more and int(more.group(2)) == total - 24


def test_a_ticked_country_is_offered_however_few_its_programs(client):
    added = many_countries()
    text = panel(client, f"country={added[-1]}")
    assert re.search(rf'value="{added[-1]}"[^>]*checked', text)


def test_all_countries_keeps_the_filters_and_stays_open(client):
    many_countries()
    text = panel(client, "q=program&trainees=no")
    more = re.search(r'<a href="\?([^"]*)#filters-heading">', text).group(1).replace("&amp;", "&")
    assert sorted(more.split("&")) == ["countries=all", "q=program", "trainees=no"]
    full = panel(client, more)
    assert '<input type="hidden" name="countries" value="all" form="filters">' in full
    assert "more countries" not in full
    assert re.search(r'<details class="facet" open>\s*<summary>Country</summary>', full)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "country=PE",
        "q=program&country=PE&region=latin-america&specialty=noma&role=surgeon"
        "&frequency=year-round&trainees=no&sort=newest",
    ],
)
def test_facets_cost_a_fixed_number_of_queries(client, query):
    specialties = list(Specialty.objects.filter(slug__in=["noma", "burns"]))
    organization = OrganizationFactory(name="Bulk org", slug="bulk-org")
    counts = []
    made = 0
    for total in (10, 200):
        for n in range(made, total):
            full_program(n, specialties, organization=organization)
        made = total
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/programs/?{query}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 10, counts


def test_home_and_impact_list_the_countries_with_most_programs_and_link_to_all(client):
    added = many_countries()
    home = client.get("/").content.decode()
    listed = re.findall(r'<li><a href="/countries/(\w\w)/">', home)
    assert len(listed) == 24 and "no" in listed and added[-1].lower() not in listed
    assert '<a href="/countries/">All 52 countries</a>' in home
    # The map still shades every country it can draw.
    from missions.maps import map_geometry
    from programs.models import Program

    drawn = set(Program.objects.published().country_counts()) & map_geometry()[1]
    assert set(re.findall(r'#(\w\w)" class="world-map__country--\d"/>', home)) == drawn
    impact = client.get("/impact/").content.decode()
    assert "<caption>Countries with most programs</caption>" in impact
    assert len(re.findall(r'<tr><th scope="row"><a href="/countries/\w\w/">', impact)) == 24
    assert '<a href="/countries/">All 52 countries</a>' in impact
    every = client.get("/countries/").content.decode()
    assert f'href="/countries/{added[-1].lower()}/"' in every


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=cleft",
        "country=GT&country=PE",
        "country=KE",
        # One filter alone, each kind: its own options over the whole directory.
        "trainees=no",
        "trainees=yes",
        "role=surgeon",
        "specialty=burns",
        "region=latin-america",
        "frequency=per-year",
        "region=latin-america&trainees=no",
        "specialty=burns&role=nurse",
        "q=surgery&region=africa&frequency=per-year&trainees=yes",
        "role=plastic-surgeon&role=anaesthesiologist&specialty=cleft-lip-and-palate",
    ],
)
def test_every_count_agrees_with_the_programs_own_rows(client, query):
    """On PostgreSQL the panel counts the SearchEntry rows' filter tokens in one query; the
    counts must be those worked out over the programs, their places, specialties and staffing
    (the code the organization pages and SQLite use)."""
    burns = Specialty.objects.get(slug="burns")
    roles = ["surgeon", "nurse", "certified-plastic-surgeon", "anaesthesiologist"]
    for i in range(8):
        ProgramFactory(
            name=f"Facet surgery {i}",
            places=[["PE", "GT", "KE", "VN"][i % 4], ("MX", f"City {i}")],
            specialties=[burns] if i % 2 else [],
            staffing=[{"role": roles[i % 4], "accepts_trainees": bool(i % 3)}],
            frequency=["per-year", "per-month", "year-round"][i % 3],
        )
    assert_panel_counts_the_programs_own_rows(client, query)
