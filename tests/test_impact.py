"""The impact page: totals that add up, breakdowns and their tables, the world map, what is
left out, and query counts. Most tests run on the seed's figures (fixtures/missions.json)."""

import re
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from missions.models import ImpactFigure, Metric, Mission
from programs.models import Program

from .conftest import ROOT
from .factories import ProgramFactory
from .mission_factories import CampaignFactory, ImpactFigureFactory, MissionFactory

pytestmark = pytest.mark.django_db

MISSIONS_SEED = ROOT / "fixtures" / "missions.json"


@pytest.fixture
def mission_seed(db):
    call_command("loaddata", MISSIONS_SEED, verbosity=0)


def page_totals(client, query=""):
    """{metric: text} as the page shows them."""
    text = client.get(f"/impact/{query}").content.decode()
    return dict(re.findall(r'id="total-([a-z-]+)"><dt>[^<]*</dt><dd>([^<]*)</dd>', text))


def recomputed_totals():
    """The totals, recomputed in Python from every row, without the queryset's rules."""
    figures = list(
        ImpactFigure.objects.select_related(
            "mission__program", "program", "organization", "campaign", "part_of"
        )
    )

    def visible(figure):
        if figure.scope == "mission":
            return figure.mission.program.status == "published" and figure.mission.status != (
                "cancelled"
            )
        if figure.scope == "program":
            return figure.program.status == "published"
        if figure.scope == "organization":
            return figure.organization.programs.filter(status="published").exists()
        return True

    sums = defaultdict(int)
    lower = defaultdict(bool)
    for figure in figures:
        if not visible(figure) or figure.basis != "total":
            continue
        if figure.metric in ("countries", "volunteer-countries"):
            continue
        if figure.part_of and visible(figure.part_of):
            continue
        sums[figure.metric] += figure.value
        lower[figure.metric] |= figure.is_lower_bound
    return {
        metric: (f"more than {value:,}" if lower[metric] else f"{value:,}")
        for metric, value in sums.items()
    }


def test_seed_totals_count_each_figure_once(client, mission_seed):
    assert page_totals(client) == {
        # 25 disaster-relief trips (the 18 to Amman are among them) and 4 to Argentina.
        "trips": "29",
        "surgeries": "more than 326,438",
        "patient-evaluations": "907",
        "patients-treated": "more than 71,000",
        "trained-in-person": "75",
        "trained-online": "more than 160",
        "volunteers": "more than 6,007",
    }


def test_totals_add_up_to_the_rows(client, mission_seed):
    assert page_totals(client) == recomputed_totals()


def test_totals_add_up_with_hidden_cancelled_and_nested_figures(client, mission_seed):
    ImpactFigureFactory(program=ProgramFactory(pending=True), metric="surgeries", value=1000)
    ImpactFigureFactory(
        scope="mission",
        mission=MissionFactory(cancelled=True),
        program=None,
        metric="surgeries",
        value=2000,
    )
    ImpactFigureFactory(metric="surgeries", value=7, basis="per-year")
    visible = ImpactFigureFactory(metric="trips", value=5)
    ImpactFigureFactory(metric="trips", value=3, part_of=visible)
    hidden_parent = ImpactFigureFactory(
        program=ProgramFactory(archived=True), metric="trips", value=50
    )
    ImpactFigureFactory(metric="trips", value=2, part_of=hidden_parent)  # counts: parent hidden
    totals = page_totals(client)
    assert totals == recomputed_totals()
    assert totals["surgeries"] == "more than 326,438"
    assert totals["trips"] == "36"  # 29 + 5 + 2


def test_countries_and_rates_are_listed_but_never_added(client, mission_seed):
    text = client.get("/impact/").content.decode()
    assert "total-countries" not in text and "total-volunteer-countries" not in text
    assert "Volunteer surgeons typically visit each select partner three times a year" in text
    assert "in 13 countries on five continents" in text


@pytest.mark.parametrize("metric", [m.value for m in Metric.additive()])
@pytest.mark.parametrize("chart", [0, 1, 2])
def test_each_breakdown_adds_up_to_its_total(client, mission_seed, metric, chart):
    MissionFactory(slug="dated", month=(2025, 4))
    ImpactFigureFactory(
        scope="mission",
        mission=Mission.objects.get(slug="dated"),
        program=None,
        metric=metric,
        value=12,
        country="PE",
    )
    response = client.get(f"/impact/?metric={metric}")
    bars = response.context["charts"][chart].bars
    total = ImpactFigure.objects.totals()[metric][0]
    assert sum(bar.value for bar in bars) == total


def test_breakdowns_by_country_specialty_and_year(client, mission_seed):
    MissionFactory(slug="dated", month=(2025, 4))
    ImpactFigureFactory(
        scope="mission",
        mission=Mission.objects.get(slug="dated"),
        program=None,
        metric="patients-treated",
        value=12,
    )
    charts = client.get("/impact/?metric=patients-treated").context["charts"]
    rows = {chart.slug: [(b.label, b.display) for b in chart.bars] for chart in charts}
    assert rows["by-country"] == [
        ("Vietnam", "more than 66,000"),
        ("Pakistan", "more than 5,000"),
        ("Several countries or not given", "12"),
    ]
    assert rows["by-specialty"] == [
        ("Cleft lip and palate", "more than 66,000"),
        ("Several specialties or not given", "more than 5,012"),
    ]
    # The test mission took place in 2025; the seed's figures give no end year.
    assert rows["by-year"] == [("2025", "12"), ("Up to now, or not given", "more than 71,000")]


def test_each_chart_has_a_data_table_with_the_same_rows(client, mission_seed):
    response = client.get("/impact/?metric=patients-treated")
    text = response.content.decode()
    for chart in response.context["charts"]:
        block = text.split(f'id="chart-{chart.slug}"')[1].split("</table>")[0]
        assert "<svg" in block and 'role="img"' in block
        assert f"<caption>{chart.caption}</caption>" in block
        assert '<th scope="col">' in block
        table_rows = re.findall(
            r'<tr><th scope="row">(?:<a href="[^"]*">)?([^<]*)(?:</a>)?</th><td>([^<]*)</td></tr>',
            block,
        )
        assert table_rows[:-1] == [(bar.label, bar.display) for bar in chart.bars]
        assert table_rows[-1] == ("Total", "more than 71,000")
        assert block.count('<rect class="chart__bar"') == len(chart.bars)


def test_breakdown_rows_link_to_country_and_specialty_pages(client, mission_seed):
    text = client.get("/impact/?metric=patients-treated").content.decode()
    assert '<a href="/countries/vn/">Vietnam</a>' in text
    assert '<a href="/specialties/cleft-lip-and-palate/">Cleft lip and palate</a>' in text


@pytest.mark.parametrize(
    "query", ["metric=zz", "metric=countries", "metric=%00", "metric=" + "x" * 500]
)
def test_unknown_metric_is_explained_and_surgeries_shown(client, query):
    response = client.get(f"/impact/?{query}")
    assert response.status_code == 200
    assert "Show the breakdowns of was ignored" in response.content.decode()
    assert response.context["metric"] == "surgeries"


def test_every_figure_is_listed_with_its_source(client, mission_seed):
    text = client.get("/impact/").content.decode()
    for figure in ImpactFigure.objects.all():
        assert figure.source.replace("“", "&ldquo;") in text.replace("“", "&ldquo;"), figure


def test_figures_of_hidden_programs_are_not_listed(client, mission_seed):
    Program.objects.filter(slug="mumtaz-surgical-center").update(status="archived")
    Program.objects.filter(organization__slug="operation-smile").update(status="pending")
    text = client.get("/impact/").content.decode()
    assert "prisoners" not in text
    assert "326,000" not in text and "66,000" not in text
    totals = page_totals(client)
    assert "patients-treated" not in totals
    assert totals == recomputed_totals()


def test_campaign_figures_are_public(client):
    campaign = CampaignFactory(name="Relief campaign")
    ImpactFigureFactory(scope="campaign", campaign=campaign, program=None, metric="trips", value=4)
    assert "Relief campaign" in client.get("/impact/").content.decode()


def test_figure_scope_must_match_its_link():
    program = ProgramFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ImpactFigure.objects.create(scope="mission", program=program, metric="trips", value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ImpactFigure.objects.create(
            scope="program",
            program=program,
            organization=program.organization,
            metric="trips",
            value=1,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ImpactFigure.objects.create(scope="program", program=program, metric="height", value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ImpactFigure.objects.create(
            scope="program",
            program=program,
            metric="trips",
            value=1,
            period_start_year=2020,
            period_end_year=2010,
        )


# --- The world map -------------------------------------------------------------------------


def map_links(html):
    """[(href, name, used id)] of the map's country links; the <title> names the link."""
    return re.findall(
        r'<a href="([^"]+)"><title>([^<]*)</title><use href="[^"#]+#([A-Z]{2})"',
        html,
    )


def test_map_links_every_country_with_programs_to_its_page(client):
    text = client.get("/impact/").content.decode()
    links = map_links(text)
    counts = Program.objects.published().country_counts()
    assert {code for _href, _label, code in links} == set(counts)
    for href, label, code in links:
        assert href == f"/countries/{code.lower()}/"
        assert label.endswith(f": {counts[code]} program" + ("s" if counts[code] > 1 else ""))
    assert ("/countries/ps/", "Palestine: 4 programs", "PS") in links
    # The darkest shade goes to the country with the most programs.
    assert 'href="/static/img/world-map.svg#PS" class="world-map__country--4"' in text
    for href, _label, _code in links:
        assert client.get(href).status_code == 200


def test_map_file_draws_every_seed_country(client):
    svg = (ROOT / "static" / "img" / "world-map.svg").read_text()
    for code in Program.objects.published().country_counts():
        assert f'<path id="{code}"' in svg, code
    assert "<script" not in svg and "style" not in svg


def test_home_page_has_the_small_map_as_a_picture_of_its_country_list(client):
    text = client.get("/").content.decode()
    assert "world-map--small" in text
    # No links on the map: the list below it links the same countries.
    assert map_links(text) == []
    assert 'role="img" aria-label="Countries by number of programs"' in text
    shaded = set(re.findall(r'<use href="[^"#]+#([A-Z]{2})" class="world-map__country--\d"', text))
    assert shaded == set(Program.objects.published().country_counts())


def test_program_page_map_highlights_only_its_countries(client):
    text = client.get("/programs/smile-network-international/").content.decode()
    links = map_links(text)
    assert {code for _h, _l, code in links} == {"HT", "GT", "IN"}
    assert text.count("world-map__country--highlight") == 3


def test_country_of_a_hidden_program_is_not_on_the_map(client):
    ProgramFactory(name="Hidden Iceland", places=["IS"], pending=True)
    assert "IS" not in {code for _h, _l, code in map_links(client.get("/impact/").content.decode())}


def test_the_table_lists_the_first_figures_in_order_and_says_how_many_there_are(client):
    programs = [ProgramFactory(places=["PE"]) for _ in range(3)]
    hidden = ProgramFactory(places=["PE"], pending=True)
    for n in range(24):
        # Values 1..24 at positions 24..1: the table lists 24 down to 5.
        ImpactFigureFactory(program=programs[n % 3], value=n + 1, position=24 - n)
    ImpactFigureFactory(program=hidden, value=999, position=0)
    html = client.get("/impact/").content.decode()
    assert "The first 20 of 24 figures" in html
    table = html.split('class="table figures"')[1].split("</table>")[0]
    assert re.findall(r"<strong>(\d+)</strong>", table) == [str(v) for v in range(24, 4, -1)]


def test_the_table_says_when_there_are_no_figures(client):
    ProgramFactory(places=["PE"])
    html = client.get("/impact/").content.decode()
    assert "The first" not in html
    assert "No figures yet." in html.split('class="table figures"')[1]


# --- Query counts -------------------------------------------------------------------------


def test_impact_query_count_is_fixed(client):
    counts = []
    made = 0
    for total in (10, 200):
        for n in range(made, total):
            program = ProgramFactory(places=["PE"])
            ImpactFigureFactory(program=program, metric="surgeries", value=n, country="PE")
            mission = MissionFactory(program=program)
            ImpactFigureFactory(scope="mission", mission=mission, program=None, metric="trips")
        made = total
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/impact/?metric=trips").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 10, counts
