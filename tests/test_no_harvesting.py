"""No contact's e-mail address appears anywhere a visitor (or a harvesting robot) can read:
every page reachable from the home page and the sitemap, the feeds, the exports, and every
answer of the contact form. Every seed contact is given an address for the occasion."""

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.cache import cache

from programs.models import Contact

from .factories import OrganizationFactory, ProgramFactory
from .public_urls import body

pytestmark = pytest.mark.django_db

# Generous for the seed (about 80 pages); a bound so that a link loop cannot run forever.
MAX_PAGES = 400
SKIP = ("/admin/", "/static/")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag in {"a", "link"} and href:
            self.hrefs.append(href)


@pytest.fixture
def addresses():
    """Every contact has an address: the seed's, and a program made with several."""
    cache.clear()
    for contact in Contact.objects.all():
        contact.email = f"person{contact.pk}@seed-contacts.example"
        contact.save(update_fields=["email"])
    ProgramFactory(
        name="Well-staffed program",
        organization=OrganizationFactory(name="Well-staffed org"),
        places=[("PE", "Lima")],
        contacts=[
            {"name": "Dr. Lead", "email": "lead@clinic.example", "phone": "+1 555 0100"},
            {"name": "Nurse Coordinator", "email": "NURSE.Coord+missions@Clinic.Example"},
        ],
    )
    return list(Contact.objects.exclude(email="").values_list("email", flat=True))


def assert_no_address(content, addresses, where):
    text = content.decode("utf-8-sig").lower()
    assert "mailto:" not in text, where
    for address in addresses:
        local, domain = address.lower().split("@")
        assert address.lower() not in text, (where, address)
        assert f"@{domain}" not in text, (where, address)
        assert f"{local}&#64;" not in text and f"{local}&#x40;" not in text, (where, address)


def crawl(client, start):
    """Every same-site page reachable from `start`: {path with query: response}."""
    seen, queue, pages = set(), list(start), {}
    while queue and len(pages) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or url.startswith(SKIP):
            continue
        seen.add(url)
        response = client.get(url)
        pages[url] = response
        if "html" not in response.get("Content-Type", ""):
            continue
        parser = Links()
        parser.feed(response.content.decode())
        for href in parser.hrefs:
            parts = urlsplit(urljoin(url, href))
            if parts.scheme not in {"", "http"} or parts.netloc not in {"", "testserver"}:
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return pages


def sitemap_paths(client):
    """The pages the sitemaps list, read through their index."""
    loc = "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"
    index = ET.fromstring(client.get("/sitemap.xml").content)
    return [
        urlsplit(page.text).path
        for sitemap in index.iter(loc)
        for page in ET.fromstring(client.get(sitemap.text).content).iter(loc)
    ]


def test_no_contact_address_on_any_public_page(client, addresses):
    start = ["/", *sitemap_paths(client), "/programs/well-staffed-program/"]
    pages = crawl(client, start)
    assert len(pages) < MAX_PAGES, "the crawl did not finish"
    assert "/programs/well-staffed-program/" in pages
    assert "/organizations/well-staffed-org/" in pages
    assert sum(url.startswith("/programs/") for url in pages) > 20
    for url, response in pages.items():
        assert response.status_code in {200, 301, 302}, url
        assert_no_address(body(response), addresses, url)


@pytest.mark.parametrize(
    "url",
    [
        "/programs/?q=Lima",
        "/programs/?q=clinic.example",
        "/programs/?q=lead",
        "/countries/pe/",
        "/feeds/programs.atom",
        "/feeds/countries/pe.atom",
        "/export/programs.csv",
        "/export/programs.json",
        "/sitemap.xml",
        "/robots.txt",
        "/programs/nope/",
    ],
)
def test_no_contact_address_in_searches_feeds_and_exports(client, addresses, url):
    assert_no_address(body(client.get(url)), addresses, url)


def test_no_contact_address_in_any_answer_of_the_contact_form(client, addresses, settings):
    url = "/programs/well-staffed-program/contact/"
    good = {"name": "Ada", "email": "ada@sender.example", "message": "A long enough message."}
    answers = {
        "error": client.post(url, {**good, "email": "nope"}),
        "honeypot": client.post(url, {**good, "website_url": "x"}),
    }
    sent = client.post(url, good)
    answers["confirmation"] = client.get(sent["Location"])
    for _ in range(settings.CONTACT_LIMIT):
        client.post(url, good)
    answers["rate limit"] = client.post(url, good)
    assert answers["rate limit"].status_code == 429
    for where, response in answers.items():
        assert_no_address(response.content, addresses, where)


def test_staff_do_see_them(admin_client, addresses):
    text = admin_client.get("/programs/well-staffed-program/").content.decode()
    assert "lead@clinic.example" in text
    assert re.search(r'href="mailto:NURSE\.Coord\+missions@Clinic\.Example"', text)
