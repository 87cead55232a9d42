"""Page weight for slow mobile connections: a list page of 25 programs, with its stylesheet and
script, under 60 KB after gzip. Sizes are deterministic, so this is a test, not a benchmark."""

import gzip
import re

import pytest
from django.contrib.staticfiles import finders

from programs.models import Specialty
from tests.factories import full_program

pytestmark = pytest.mark.django_db

BUDGET = 60 * 1024


def gzipped(data):
    return len(gzip.compress(data, compresslevel=6))


def test_a_full_list_page_with_its_css_and_javascript_is_under_60_kb_gzipped(client):
    specialties = list(Specialty.objects.all()[:3])
    for n in range(30):
        full_program(n, specialties)
    response = client.get("/programs/")
    assert len(response.context["programs"]) == 25
    html = response.content
    assets = re.findall(rb'(?:href|src)="/static/([^"]+\.(?:css|js))"', html)
    assert assets, "the page links its stylesheet and script"
    total = gzipped(html)
    for asset in assets:
        path = finders.find(asset.decode())
        with open(path, "rb") as file:
            total += gzipped(file.read())
    assert total < BUDGET, f"{total / 1024:.1f} KB"
    # Nothing else is loaded by the page: images are inline SVG or the icon.
    others = re.findall(rb'(?:src)="(/static/[^"]+)"', html)
    assert all(o.endswith(b".js") for o in others)
