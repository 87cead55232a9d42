"""sitemap.xml parsed back, and robots.txt."""

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.models import Organization, Program, Specialty
from programs.sitemaps import ProgramSitemap

from .factories import OrganizationFactory, ProgramFactory, full_program

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def sitemaps(client):
    """The sitemaps the index lists, as a crawler reads them: [(address, urlset)]."""
    index = xml(client, "/sitemap.xml")
    assert index.tag == f"{NS}sitemapindex"
    found = []
    for loc in index.iter(f"{NS}loc"):
        assert loc.text.startswith("http://testserver/sitemap-"), loc.text
        found.append((loc.text, xml(client, loc.text)))
    return found


def sitemap_paths(client):
    urls = [
        loc.text
        for _address, urlset in sitemaps(client)
        for url in urlset.iter(f"{NS}url")
        for loc in url.iter(f"{NS}loc")
    ]
    assert all(url.startswith("http://testserver/") for url in urls)
    paths = [urlsplit(url).path for url in urls]
    assert len(paths) == len(set(paths))
    return set(paths)


def test_sitemap_covers_every_kind_of_public_page(client):
    paths = sitemap_paths(client)
    assert {"/", "/programs/", "/countries/", "/specialties/"} <= paths
    assert {p.get_absolute_url() for p in Program.objects.published()} <= paths
    assert {o.get_absolute_url() for o in Organization.objects.with_published_programs()} <= paths
    assert {"/countries/gt/", "/countries/pe/", "/countries/ps/"} <= paths
    assert "/specialties/noma/" in paths
    assert "/specialties/buruli-ulcer/" not in paths  # no published program yet
    assert "/countries/fr/" not in paths


def test_every_page_in_the_sitemap_answers(client):
    for path in sitemap_paths(client):
        assert client.get(path).status_code == 200, path


def test_sitemap_gives_the_programs_last_change(client):
    program = ProgramFactory(name="Recently changed")
    for url in xml(client, "/sitemap-programs.xml").iter(f"{NS}url"):
        if url.findtext(f"{NS}loc").endswith(program.get_absolute_url()):
            assert url.findtext(f"{NS}lastmod") == program.updated_at.date().isoformat()
            break
    else:
        pytest.fail("program not in the sitemap")


def test_a_sitemap_beyond_its_limit_is_split_in_pages_the_index_lists(client, monkeypatch):
    for n in range(7):
        ProgramFactory(name=f"Paged program {n}")
    programs = {p.get_absolute_url() for p in Program.objects.published()}
    monkeypatch.setattr(ProgramSitemap, "limit", 3)
    pages = [address for address, _urlset in sitemaps(client) if "sitemap-programs" in address]
    assert len(pages) == -(-len(programs) // 3) >= 3
    assert pages[1].endswith("/sitemap-programs.xml?p=2")
    assert programs <= sitemap_paths(client)
    assert client.get("/sitemap-programs.xml?p=99").status_code == 404


@pytest.mark.parametrize("state", ["pending", "rejected", "archived"])
def test_sitemap_has_only_published_content(client, state):
    ProgramFactory(
        name="Zanzibar Hidden Outreach",
        organization=OrganizationFactory(name="Hidden Org", slug="hidden-org"),
        places=["FR"],
        specialties=[Specialty.objects.get(slug="buruli-ulcer")],
        **{state: True},
    )
    paths = sitemap_paths(client)
    for hidden in [
        "/programs/zanzibar-hidden-outreach/",
        "/organizations/hidden-org/",
        "/countries/fr/",
        "/specialties/buruli-ulcer/",
    ]:
        assert hidden not in paths


def test_sitemap_query_count_does_not_grow_with_the_directory(client):
    specialties = list(Specialty.objects.filter(slug__in=["noma", "burns"]))
    counts, made = [], 0
    for total in (10, 200):
        for n in range(made, total):
            full_program(n, specialties)
        made = total
        with CaptureQueriesContext(connection) as queries:
            sitemaps(client)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 15, counts  # per kind of page: a count (index), a count and a fetch


def test_robots_txt_allows_crawling_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /export/" in lines
    assert "Disallow: /" not in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_robots_txt_gives_the_https_address_over_https(client):
    text = client.get("/robots.txt", secure=True).content.decode()
    assert "Sitemap: https://testserver/sitemap.xml" in text


def test_a_cached_sitemap_shows_a_newly_published_program_at_once(client, settings):
    settings.PAGE_CACHE = True
    cache.clear()
    assert client.get("/sitemap-programs.xml")["X-Page-Cache"] == "miss"
    assert client.get("/sitemap-programs.xml")["X-Page-Cache"] == "hit"
    program = ProgramFactory(name="Quokka outreach", pending=True)
    program.publish()
    program.save()
    assert program.get_absolute_url() in sitemap_paths(client)
