"""The Atom feeds, parsed back, and the pages that point to them."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from programs.models import Program, Specialty

from .factories import OrganizationFactory, ProgramFactory, full_program

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def read_feed(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root


def entries(root):
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "published": entry.findtext(f"{ATOM}published"),
            "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
            "categories": [c.get("term") for c in entry.findall(f"{ATOM}category")],
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


def test_feed_lists_published_programs_newest_first(client):
    now = timezone.now()
    ProgramFactory(name="Second newest program", published_at=now - dt.timedelta(hours=1))
    ProgramFactory(name="Newest program", published_at=now, places=[("KE", "Nairobi")])
    ProgramFactory(name="Old program", published_at=now - dt.timedelta(days=3650))
    root = read_feed(client, "/feeds/programs.atom")
    assert root.findtext(f"{ATOM}title") == "New humanitarian surgery programs"
    items = entries(root)
    assert len(items) == Program.objects.published().count()
    assert [i["title"] for i in items[:2]] == ["Newest program", "Second newest program"]
    dates = [i["published"] for i in items]
    assert dates == sorted(dates, reverse=True)
    assert items[-1]["title"] == "Old program"
    newest = items[0]
    assert newest["link"] == "http://testserver/programs/newest-program/"
    assert newest["author"].startswith("Test organization")
    assert "Nairobi, Kenya" in newest["summary"]


def test_feed_entries_carry_specialties_as_categories(client):
    noma = Specialty.objects.get(slug="noma")
    ProgramFactory(name="Categorised program", specialties=[noma])
    assert entries(read_feed(client, "/feeds/programs.atom"))[0]["categories"] == ["Noma"]


def test_feed_is_limited_to_the_latest_fifty(client):
    for n in range(60):
        ProgramFactory(name=f"Bulk {n}")
    assert len(entries(read_feed(client, "/feeds/programs.atom"))) == 50


def test_country_feed_has_only_that_country(client):
    root = read_feed(client, "/feeds/countries/gt.atom")
    assert root.findtext(f"{ATOM}title") == "New humanitarian surgery programs in Guatemala"
    assert {i["link"].split("/")[-2] for i in entries(root)} == {
        "aicpe-onlus-program",
        "smile-network-international",
    }
    # Any case, like the country filter.
    assert len(entries(read_feed(client, "/feeds/countries/GT.atom"))) == 2


def test_specialty_feed_has_only_that_specialty(client):
    root = read_feed(client, "/feeds/specialties/noma.atom")
    assert root.findtext(f"{ATOM}title") == "New programs: Noma"
    assert [i["link"] for i in entries(root)] == [
        "http://testserver/programs/interplast-switzerland/"
    ]


@pytest.mark.parametrize(
    "url", ["/feeds/countries/zz.atom", "/feeds/countries/x.atom", "/feeds/specialties/nope.atom"]
)
def test_unknown_country_or_specialty_feed_is_a_404(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("state", ["pending", "rejected", "archived"])
def test_feeds_carry_only_published_programs(client, state):
    ProgramFactory(
        name="Zanzibar Hidden Outreach",
        organization=OrganizationFactory(name="Hidden Org"),
        places=["PE"],
        specialties=[Specialty.objects.get(slug="noma")],
        published_at=timezone.now(),
        **{state: True},
    )
    for url in ["/feeds/programs.atom", "/feeds/countries/pe.atom", "/feeds/specialties/noma.atom"]:
        content = client.get(url).content
        assert b"Zanzibar" not in content, url
        assert b"Hidden Org" not in content, url


@pytest.mark.parametrize(
    ("list_url", "feed"),
    [
        ("/programs/", "/feeds/programs.atom"),
        ("/countries/gt/", "/feeds/countries/gt.atom"),
        ("/specialties/noma/", "/feeds/specialties/noma.atom"),
    ],
)
def test_list_pages_point_to_their_feed(client, list_url, feed):
    text = client.get(list_url).content.decode()
    assert '<link rel="alternate" type="application/atom+xml" title="New' in text
    assert f'href="{feed}"' in text
    read_feed(client, feed)


@pytest.mark.parametrize(
    "url", ["/feeds/programs.atom", "/feeds/countries/pe.atom", "/feeds/specialties/noma.atom"]
)
def test_feed_query_count_does_not_grow_with_the_directory(client, url):
    specialties = list(Specialty.objects.filter(slug__in=["noma", "burns"]))
    counts, made = [], 0
    for total in (10, 200):
        for n in range(made, total):
            full_program(n, specialties)
        made = total
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 5, counts
