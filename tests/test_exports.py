"""The CSV and JSON exports, parsed back: what they carry, the list's filters, only published
programs, no contact details, and a query count that does not grow with the directory."""

import csv
import io
import json
import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.exports import ProgramExportView
from programs.models import Program, Specialty

from .factories import OrganizationFactory, ProgramFactory, full_program

pytestmark = pytest.mark.django_db

CSV = "/export/programs.csv"
JSON = "/export/programs.json"


def body(response):
    """The export's bytes: it is streamed."""
    assert response.streaming
    return b"".join(response.streaming_content)


def read_csv(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = body(response).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def read_json(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(body(response))


def test_csv_has_a_header_and_one_row_per_published_program(client):
    rows = read_csv(client.get(CSV))
    assert len(rows) == Program.objects.published().count() == 19
    assert list(rows[0]) == [
        "name",
        "url",
        "organization",
        "organization_url",
        "website",
        "countries",
        "places",
        "specialties",
        "roles",
        "accepts_trainees",
        "frequency",
        "frequency_text",
        "min_commitment",
        "resources_required",
        "needs_text",
        "description",
        "trains_local_staff",
        "last_verified",
        "published_at",
        "source",
        "source_url",
        "contact_url",
    ]
    assert [row["name"] for row in rows] == sorted(row["name"] for row in rows)


def test_csv_joins_several_values_and_quotes_what_needs_it(client):
    specialties = list(Specialty.objects.filter(slug__in=["noma", "burns"]))
    ProgramFactory(
        name='Quoted, "tricky" program',
        description="First line\nsecond line; with a semicolon",
        places=[("PE", "Lima"), ("MX", "Guanajuato"), ("PE", "Cusco")],
        specialties=specialties,
        staffing=[{"role": "surgeon"}, {"role": "nurse", "accepts_trainees": True}],
        last_verified_on="2025-03-01",
    )
    rows = {row["name"]: row for row in read_csv(client.get(CSV + "?q=tricky"))}
    row = rows['Quoted, "tricky" program']
    assert row["countries"] == "PE; MX"
    assert row["places"] == "Lima, Peru; Guanajuato, Mexico; Cusco, Peru"
    assert row["specialties"] == "Burns and post-burn contractures; Noma"
    assert row["roles"] == "Surgeon; Nurse"
    assert row["accepts_trainees"] == "yes"
    assert row["description"] == "First line\nsecond line; with a semicolon"
    assert row["last_verified"] == "2025-03-01"
    assert row["url"] == "http://testserver/programs/quoted-tricky-program/"


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://example.com/x","Click")', "+1+2", "-2+3", "@SUM(A1:A2)", "\t=1+1"],
)
def test_csv_cells_are_never_read_as_formulas(client, text):
    ProgramFactory(name=f"{text} formula program", description=text, needs_text=text)
    row = read_csv(client.get(CSV + "?q=formula"))[0]
    assert row["name"] == f"'{text} formula program"
    assert row["description"] == row["needs_text"] == f"'{text}"
    # The JSON carries the texts as written.
    program = read_json(client.get(JSON + "?q=formula"))["programs"][0]
    assert program["name"] == f"{text} formula program"
    assert program["description"] == text


def test_csv_is_utf8_and_a_download(client):
    response = client.get(CSV)
    assert response["Content-Disposition"] == 'attachment; filename="programs.csv"'
    content = body(response)
    assert content.startswith("\ufeff".encode())
    rows = csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    assert "Misión Caritas Felices" in {row["organization"] for row in rows}


def test_json_has_the_documented_structure(client):
    document = read_json(client.get(JSON + "?country=MX"))
    assert set(document) == {"generated_at", "count", "ignored", "programs"}
    assert document["count"] == len(document["programs"])
    program = next(p for p in document["programs"] if p["slug"] == "nuevo-amanecer")
    assert program["url"] == "http://testserver/programs/nuevo-amanecer/"
    assert program["contact_url"] == "http://testserver/programs/nuevo-amanecer/contact/"
    assert program["name"] == "Nuevo Amanecer Program"
    assert program["organization"]["url"] == "http://testserver/organizations/nuevo-amanecer/"
    assert {"country": "MX", "country_name": "Mexico", "locality": "Guanajuato"} in program[
        "places"
    ]
    assert program["specialties"][0] == {
        "slug": "cleft-lip-and-palate",
        "name": "Cleft lip and palate",
        "url": "http://testserver/specialties/cleft-lip-and-palate/",
    }
    roles = {s["role"]: s for s in program["staffing"]}
    assert roles["certified-plastic-surgeon"]["min_count"] == 5
    assert set(program["frequency"]) == {"kind", "min", "max", "summary", "text"}
    assert program["frequency"]["text"] == "Twice a year (contact organization for specific dates)"
    assert program["last_verified"] is None
    for key in ["resources_required", "min_commitment", "published_at", "source"]:
        assert key in program


def test_json_dates_are_iso_8601(client):
    ProgramFactory(name="Dated program", last_verified_on="2024-11-05")
    program = read_json(client.get(JSON + "?q=Dated"))["programs"][0]
    assert program["last_verified"] == "2024-11-05"
    assert program["published_at"][:4].isdigit() and "T" in program["published_at"]


def test_json_is_inline_and_readable_from_other_sites(client):
    response = client.get(JSON)
    assert response["Content-Disposition"] == 'inline; filename="programs.json"'
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country=GT", {"aicpe-onlus-program", "smile-network-international"}),
        ("country=gt&specialty=cleft-lip-and-palate", {"smile-network-international"}),
        ("q=punjab", {"mumtaz-surgical-center"}),
        ("specialty=noma", {"interplast-switzerland"}),
        ("region=latin-america&role=certified-plastic-surgeon", None),
        ("trainees=yes&frequency=per-year", None),
    ],
)
def test_exports_honour_the_list_filters(client, query, expected):
    listed = {p.slug for p in client.get(f"/programs/?{query}").context["programs"]}
    assert listed == expected if expected is not None else listed
    from_json = {p["slug"] for p in read_json(client.get(f"{JSON}?{query}"))["programs"]}
    from_csv = {row["url"].split("/")[-2] for row in read_csv(client.get(f"{CSV}?{query}"))}
    assert from_json == from_csv == listed


def test_exports_follow_the_list_sort(client):
    listed = [p.slug for p in client.get("/programs/?sort=verified").context["programs"]]
    exported = [p["slug"] for p in read_json(client.get(JSON + "?sort=verified"))["programs"]]
    assert exported == listed


@pytest.mark.parametrize(
    "query",
    ["country=ZZ", "sort=password", "trainees=maybe", "specialty=%ff%fe", "q=a%00b", "page=abc"],
)
def test_bad_parameters_are_ignored_and_named(client, query):
    everything = read_json(client.get(JSON))["count"]
    response = client.get(f"{JSON}?{query}&country=GT")
    document = read_json(response)
    if query == "country=ZZ":
        assert response["X-Ignored-Parameters"] == "country"
        assert document["count"] == everything
    else:
        assert {p["slug"] for p in document["programs"]} == {
            "aicpe-onlus-program",
            "smile-network-international",
        }
    if query != "page=abc":  # the exports are not paginated: page means nothing to them
        assert document["ignored"]
        assert read_csv(client.get(f"{CSV}?{query}"))[0]["name"]


def test_list_page_links_to_its_results_as_data(client):
    text = client.get("/programs/?country=GT&page=1").content.decode()
    assert 'href="/export/programs.csv?country=GT"' in text
    assert 'href="/export/programs.json?country=GT"' in text


@pytest.mark.parametrize("state", ["pending", "rejected", "archived"])
def test_exports_carry_only_published_programs(client, state):
    ProgramFactory(
        name="Zanzibar Hidden Outreach",
        organization=OrganizationFactory(name="Hidden Org"),
        places=["PE"],
        **{state: True},
    )
    for url in [CSV, JSON, CSV + "?q=Zanzibar", JSON + "?country=PE"]:
        response = client.get(url)
        assert response.status_code == 200
        content = body(response)
        assert b"Zanzibar" not in content, url
        assert b"Hidden Org" not in content, url


def test_exports_carry_no_contact_details(client):
    ProgramFactory(
        name="Reachable program",
        contacts=[
            {
                "name": "Dr. Private Person",
                "email": "private@clinic.example",
                "phone": "+1 555 0101",
            }
        ],
    )
    for url in [CSV, JSON]:
        content = body(client.get(url + "?q=Reachable")).decode("utf-8-sig")
        assert "Reachable program" in content
        for secret in ["private@clinic.example", "@clinic.example", "555 0101", "Private Person"]:
            assert secret not in content, (url, secret)


@pytest.mark.parametrize(
    "url", [CSV, JSON, CSV + "?specialty=noma&sort=newest", JSON + "?q=program"]
)
def test_export_query_count_does_not_grow_with_the_directory(client, url):
    # Up to a chunk of programs (ProgramExportView.chunk_size); each further chunk adds the
    # three queries of its places, specialties and staffing (next test).
    specialties = list(Specialty.objects.filter(slug__in=["noma", "burns"]))
    counts, made = [], 0
    for total in (10, 200):
        for n in range(made, total):
            full_program(n, specialties)
        made = total
        with CaptureQueriesContext(connection) as queries:
            body(client.get(url))  # the queries run as the export is sent
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 6, counts


@pytest.mark.parametrize("url", [CSV, JSON, CSV + "?sort=newest", JSON + "?q=program"])
def test_an_export_sent_in_chunks_is_the_export_sent_at_once(client, monkeypatch, url):
    specialties = list(Specialty.objects.filter(slug__in=["noma", "burns"]))
    for n in range(10):
        full_program(n, specialties)

    def export():
        with CaptureQueriesContext(connection) as queries:
            content = body(client.get(url)).decode("utf-8-sig")
        if url.startswith(JSON):
            document = json.loads(content)
            del document["generated_at"]
            return document, len(queries)
        return content, len(queries)

    whole, queries_at_once = export()
    monkeypatch.setattr(ProgramExportView, "chunk_size", 3)
    chunked, queries_in_chunks = export()
    assert chunked == whole
    programs = len(read(whole))
    assert programs >= 10
    # Each chunk after the first: the three queries of its places, specialties and staffing.
    assert queries_in_chunks == queries_at_once + 3 * (math.ceil(programs / 3) - 1)


def read(export):
    if isinstance(export, dict):
        return export["programs"]
    return list(csv.DictReader(io.StringIO(export, newline="")))
