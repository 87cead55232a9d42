"""The public pages through real requests: what they show, what they hide, how they answer
bad input, and how many queries they cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.models import Program, Specialty

from .factories import OrganizationFactory, ProgramFactory, full_program

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/programs/",
    "/programs/nuevo-amanecer/",
    "/organizations/operation-smile/",
    "/countries/",
    "/countries/gt/",
    "/specialties/",
    "/specialties/cleft-lip-and-palate/",
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_answer(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert b'<main id="main"' in response.content


def test_home_shows_totals_and_browse_counts(client):
    response = client.get("/")
    text = response.content.decode()
    assert "19 humanitarian surgery programs run by 17 organizations in 22 countries" in text
    assert (
        'href="/specialties/cleft-lip-and-palate/">Cleft lip and palate</a> <span class="count">6 programs'
        in text
    )
    assert 'href="/countries/ps/">Palestine</a> <span class="count">4 programs' in text
    assert 'href="/programs/?region=latin-america">Latin America and the Caribbean</a>' in text


def test_the_directory_counts_agree_with_their_numbers_in_every_language(client):
    # A directory of one program (a new installation) says so without a plural.
    Program.objects.exclude(slug="nuevo-amanecer").delete()
    home = client.get("/").content.decode()
    assert "1 humanitarian surgery program run by 1 organization in 1 country:" in home
    impact = client.get("/impact/").content.decode()
    assert (
        "The directory lists 1 program of 1 organization in 1 country, "
        "and 0 missions, planned or done." in impact
    )
    german = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "1 humanitäres Chirurgieprogramm von 1 Organisation in 1 Land:" in german
    spanish = client.get("/impact/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "1 programa de 1 organización en 1 país, y 0 misiones, previstas o realizadas." in (
        spanish
    )
    french = client.get("/impact/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "1 programme de 1 organisation dans 1 pays, et 0 mission, prévue ou réalisée." in (
        french
    )


def test_detail_page_shows_everything_a_volunteer_needs(client):
    text = client.get("/programs/nuevo-amanecer/").content.decode()
    for expected in [
        "Nuevo Amanecer Program",
        "Dr. Abel De la Peña",
        "Guanajuato",
        "Mexico",
        "Cleft lip and palate",
        "5 board-certified plastic surgeons",
        "8 plastic surgery residents",
        "Twice a year (contact organization for specific dates)",
        "Not yet verified by staff",
    ]:
        assert expected in text, expected


def test_detail_page_shows_resources_and_the_organizations_phone(client):
    text = client.get("/programs/mission-restore/").content.decode()
    assert "(855) 777-1350" in text
    assert "Chairperson" in text
    assert "Not verified since January 2014" in text
    assert (
        "1 OR with respirator" in client.get("/programs/interplast-switzerland/").content.decode()
    )


def test_country_page_lists_programs_in_that_country(client):
    response = client.get("/countries/gt/")
    assert {p.slug for p in response.context["programs"]} == {
        "aicpe-onlus-program",
        "smile-network-international",
    }
    assert "<h1>Guatemala</h1>" in response.content.decode()


def test_country_page_address_is_lower_case(client):
    response = client.get("/countries/GT/?sort=newest")
    assert response.status_code == 301
    assert response["Location"] == "/countries/gt/?sort=newest"


@pytest.mark.parametrize("code", ["zz", "x", "guatemala", "g%00", "a" * 300])
def test_unknown_country_is_a_404(client, code):
    assert client.get(f"/countries/{code}/").status_code == 404


def test_valid_country_without_programs_is_an_empty_page(client):
    response = client.get("/countries/fr/")
    assert response.status_code == 200
    assert response.context["result_count"] == 0


def test_specialty_page_and_index(client):
    response = client.get("/specialties/noma/")
    assert [p.slug for p in response.context["programs"]] == ["interplast-switzerland"]
    response = client.get("/specialties/")
    index = response.content.decode()
    assert "Buruli ulcer" in index  # named by the German text, no program yet
    counts = {s.slug: s.program_count for s in response.context["specialties"]}
    assert counts == {
        s.slug: Program.objects.published().filter(specialties=s).count()
        for s in Specialty.objects.all()
    }
    assert counts["noma"] == 1 and counts["buruli-ulcer"] == 0
    assert client.get("/specialties/nope/").status_code == 404


def test_organization_page_lists_its_programs(client):
    response = client.get("/organizations/map-and-ideals/")
    assert {p.slug for p in response.context["programs"]} == {
        "map-ideals-program",
        "gaza-plastic-surgery",
    }


def test_detail_links_to_the_organizations_other_programs(client):
    text = client.get("/programs/operation-smile-vietnam/").content.decode()
    assert 'href="/programs/operation-smile-international/"' in text


# --- Only published programs exist anywhere public -----------------------------------------


@pytest.fixture(params=["pending", "rejected", "archived"])
def hidden_program(request):
    """A non-published program with a unique name, in Peru, with a seed specialty, run by an
    organization that has nothing else."""
    return ProgramFactory(
        name="Zanzibar Hidden Outreach",
        organization=OrganizationFactory(name="Hidden Org", slug="hidden-org"),
        places=[("PE", "Cusco")],
        specialties=[Specialty.objects.get(slug="noma")],
        staffing=[{"role": "nurse", "accepts_trainees": True}],
        **{request.param: True},
    )


def test_hidden_program_is_invisible_everywhere(client, hidden_program):
    assert client.get(hidden_program.get_absolute_url()).status_code == 404
    assert client.get("/organizations/hidden-org/").status_code == 404
    for url in [
        "/",
        "/programs/",
        "/programs/?q=Zanzibar",
        "/programs/?q=Cusco",
        "/programs/?role=nurse",
        "/programs/?trainees=yes",
        "/countries/",
        "/countries/pe/",
        "/specialties/",
        "/specialties/noma/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        # Search words are echoed back; the program's name and address never are.
        assert b"Hidden Outreach" not in response.content, url
        assert b"zanzibar-hidden-outreach" not in response.content, url
        assert b"Hidden Org" not in response.content, url
    for query in ["q=Zanzibar", "q=Cusco", "q=Hidden+Org"]:
        assert client.get(f"/programs/?{query}").context["result_count"] == 0
    # Counts ignore it too.
    assert client.get("/countries/pe/").context["result_count"] == 1
    assert client.get("/specialties/noma/").context["result_count"] == 1
    assert "19 humanitarian surgery programs" in client.get("/").content.decode()
    specialties = client.get("/specialties/").context["specialties"]
    assert {s.slug: s.program_count for s in specialties}["noma"] == 1


# --- Bad input: a clear message, never a 500 -----------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("country=ZZ", "“ZZ” is not a country code we know"),
        ("specialty=nope", "Specialty was ignored"),
        ("role=astronaut", "Your role was ignored"),
        ("frequency=sometimes", "Frequency was ignored"),
        ("region=atlantis", "Region was ignored"),
        ("trainees=maybe", "Use “yes” or “no”"),
        ("sort=password", "Sort by was ignored"),
        ("page=abc", "“abc” is not a page number; showing page 1."),
        ("page=0", "There is no page 0; showing page 1 of 1."),
        ("page=99", "There is no page 99; showing page 1 of 1."),
        ("q=" + "x" * 201, "Search was ignored"),
        ("q=a%00b", "Search was ignored"),
    ],
)
def test_bad_parameters_are_explained_and_the_rest_applies(client, query, message):
    response = client.get(f"/programs/?{query}&country=GT")
    assert response.status_code == 200
    assert message in response.content.decode()
    if "country=ZZ" not in query:
        # The valid filter still applies.
        assert {p.slug for p in response.context["programs"]} == {
            "aicpe-onlus-program",
            "smile-network-international",
        }


@pytest.mark.parametrize(
    "query",
    [
        "country=%00",
        "country=" + "A" * 5000,
        "specialty=%ff%fe",
        "q=%27%3B+DROP+TABLE+programs_program%3B--",
        "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "page=-1",
        "page=1e9",
        "page=99999999999999999999999",
        "sort=&sort=name&sort=-name",
        "unknown=1",
        "q=%F0%9F%98%80+%E2%80%AE",
    ],
)
def test_malformed_parameters_never_fail(client, query):
    response = client.get(f"/programs/?{query}")
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content


def test_empty_result_suggests_what_to_widen(client):
    response = client.get("/programs/?country=GT&specialty=noma")
    assert response.context["result_count"] == 0
    widen = {label: count for label, _qs, count in response.context["widen"]}
    assert widen == {"Guatemala": 1, "Noma": 2}
    assert "without “Guatemala”: 1 program" in response.content.decode()


def test_pages_of_results(client):
    for n in range(30):
        ProgramFactory(name=f"Paged {n:02}", places=["KE"])
    first = client.get("/programs/?country=KE")
    assert len(first.context["programs"]) == 25
    assert 'href="?country=KE&amp;page=2"' in first.content.decode()
    second = client.get("/programs/?country=KE&page=2")
    assert [p.name for p in second.context["programs"]] == [f"Paged {n}" for n in range(25, 30)]


# --- Query counts do not grow with the number of programs ----------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/programs/",
        "/programs/?q=program&country=PE&specialty=noma&role=surgeon&trainees=no&sort=newest",
        "/programs/?page=2",
        "/countries/",
        "/countries/pe/",
        "/specialties/",
        "/specialties/noma/",
        "/organizations/bulk-org/",
        "/programs/full-program-0/",
        "/submit/",
        "/submit/organizations.json?q=org",
    ],
)
def test_query_count_is_small_and_independent_of_the_number_of_programs(client, url):
    specialties = list(Specialty.objects.filter(slug__in=["noma", "burns"]))
    organization = OrganizationFactory(name="Bulk org", slug="bulk-org")
    counts = []
    made = 0
    for total in (10, 200):
        for n in range(made, total):
            full_program(n, specialties, organization=organization)
        made = total
        counts.append(count_queries(client, url))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 10, counts
