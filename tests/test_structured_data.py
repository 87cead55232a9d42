"""schema.org JSON-LD, Open Graph tags and the canonical link on program pages."""

import json
import re
from html.parser import HTMLParser

import pytest

from programs.models import Specialty

from .factories import OrganizationFactory, ProgramFactory

pytestmark = pytest.mark.django_db


class HeadParser(HTMLParser):
    """Collects <meta property>, <link rel="canonical"> and JSON-LD script bodies."""

    def __init__(self):
        super().__init__()
        self.meta, self.canonical, self.json_ld, self._in_ld = {}, [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "property" in attrs:
            self.meta[attrs["property"]] = attrs["content"]
        elif tag == "link" and attrs.get("rel") == "canonical":
            self.canonical.append(attrs["href"])
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld[-1] += data


def head_of(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200
    parser = HeadParser()
    parser.feed(response.content.decode())
    return parser


def test_program_page_describes_itself_in_json_ld(client):
    head = head_of(client, "/programs/nuevo-amanecer/")
    assert len(head.json_ld) == 1
    data = json.loads(head.json_ld[0])
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "WebPage"
    assert data["url"] == "http://testserver/programs/nuevo-amanecer/"
    project = data["mainEntity"]
    assert project["@type"] == "Project"
    assert project["name"] == "Nuevo Amanecer Program"
    assert project["parentOrganization"]["url"] == "http://testserver/organizations/nuevo-amanecer/"
    assert {
        "@type": "Place",
        "name": "Guanajuato, Mexico",
        "address": {
            "@type": "PostalAddress",
            "addressCountry": "MX",
            "addressLocality": "Guanajuato",
        },
    } in project["areaServed"]
    assert "Cleft lip and palate" in project["knowsAbout"]


def test_json_ld_gives_the_last_verification(client):
    ProgramFactory(name="Verified program", last_verified_on="2025-06-30")
    data = json.loads(head_of(client, "/programs/verified-program/").json_ld[0])
    assert data["lastReviewed"] == "2025-06-30"


def test_json_ld_cannot_be_broken_out_of(client):
    ProgramFactory(
        name="Tricky </script><script>alert(1)</script> program",
        slug="tricky",
        description="Ends the element early? </script> & <!-- no",
        organization=OrganizationFactory(name="</SCRIPT> org"),
    )
    response = client.get("/programs/tricky/")
    text = response.content.decode()
    ld = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', text, re.S)
    body = ld.group(1)
    assert "<" not in body and ">" not in body
    data = json.loads(body)
    assert data["mainEntity"]["description"] == "Ends the element early? </script> & <!-- no"
    assert data["mainEntity"]["parentOrganization"]["name"] == "</SCRIPT> org"
    assert "<script>alert(1)</script>" not in text


def test_json_ld_needs_no_nonce_so_the_page_can_be_cached(client):
    # A data block is never executed, so the policy does not apply to it; a nonce in a cached
    # page would belong to another response anyway.
    response = client.get("/programs/nuevo-amanecer/")
    assert '<script type="application/ld+json">' in response.content.decode()
    assert "nonce=" not in response.content.decode()


def test_json_ld_has_no_contact_details(client):
    ProgramFactory(
        name="Reachable program",
        contacts=[{"name": "Dr. Quiet", "email": "quiet@clinic.example", "phone": "+1 555 0199"}],
    )
    body = head_of(client, "/programs/reachable-program/").json_ld[0]
    for secret in ["quiet@clinic.example", "555 0199", "Dr. Quiet", "email", "telephone"]:
        assert secret not in body


def test_program_page_has_open_graph_tags_and_a_canonical_link(client):
    head = head_of(client, "/programs/nuevo-amanecer/?utm_source=x")
    assert head.canonical == ["http://testserver/programs/nuevo-amanecer/"]
    assert head.meta["og:url"] == "http://testserver/programs/nuevo-amanecer/"
    assert head.meta["og:type"] == "website"
    assert head.meta["og:site_name"] == "Humanitarian Surgery Directory"
    assert head.meta["og:title"] == "Nuevo Amanecer Program"
    assert head.meta["og:description"]


def test_open_graph_description_falls_back_to_the_needs(client):
    ProgramFactory(
        name="Needs only",
        description="",
        needs_text="Burns care",
        specialties=[Specialty.objects.get(slug="burns")],
    )
    assert head_of(client, "/programs/needs-only/").meta["og:description"] == "Burns care"


def test_canonical_address_is_https_over_https(client):
    head = head_of(client, "/programs/nuevo-amanecer/", secure=True)
    assert head.canonical == ["https://testserver/programs/nuevo-amanecer/"]
