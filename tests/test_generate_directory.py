"""The benchmarks' directory generator (`generate_directory`): it makes a directory the site
serves like its own, the same one for the same seed, and it never touches real content."""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from missions.models import ImpactFigure, Mission
from programs.models import Program

pytestmark = pytest.mark.django_db


def generate(programs, *options, seed=1):
    out = io.StringIO()
    call_command(
        "generate_directory", "--programs", str(programs), "--seed", str(seed), *options, stdout=out
    )
    return out.getvalue()


def generated():
    return Program.objects.filter(organization__slug__startswith="gen-")


def fingerprint():
    """What a visitor sees of the generated programs, without the clock's part (the
    publishing times count back from now)."""
    return [
        (
            program.slug,
            program.name,
            program.status,
            program.frequency,
            [place.country.code for place in program.places.all()],
            sorted(specialty.slug for specialty in program.specialties.all()),
            [
                (row.role, row.min_count, row.max_count)
                for row in program.staffing_requirements.all()
            ],
        )
        for program in generated()
        .order_by("slug")
        .prefetch_related("places", "specialties", "staffing_requirements")
    ]


def test_it_makes_the_programs_asked_for_with_places_needs_and_staffing():
    seed_programs = Program.objects.count()
    out = generate(80)
    assert "programs: 80" in out
    assert generated().count() == 80
    assert Program.objects.count() == seed_programs + 80
    published = generated().filter(status=Program.Status.PUBLISHED)
    assert published.count() > 40  # 18 in 20 are published
    assert not published.filter(places__isnull=True).exists()
    assert not published.filter(specialties__isnull=True).exists()
    assert not published.filter(staffing_requirements__isnull=True).exists()
    assert Mission.objects.filter(program__in=generated()).exists()
    assert ImpactFigure.objects.filter(program__in=generated()).exists()


def test_the_site_serves_and_finds_what_it_made(client):
    generate(40)
    program = generated().filter(status=Program.Status.PUBLISHED).order_by("pk").first()
    assert client.get(program.get_absolute_url()).status_code == 200
    found = client.get("/programs/", {"q": program.name}).content.decode()
    assert program.get_absolute_url() in found
    for url in ["/", "/programs/", "/missions/", "/impact/", "/countries/"]:
        assert client.get(url).status_code == 200, url
    # Pending programs are made too (one in twenty), and stay off the public site.
    pending = generated().filter(status=Program.Status.PENDING).first()
    assert client.get(pending.get_absolute_url()).status_code == 404


def test_a_stored_page_shows_the_generated_programs_at_once(settings):
    # Bulk inserts send no signal: the generator tells the page cache itself.
    settings.PAGE_CACHE = True
    cache.clear()
    before = Client().get("/programs/")
    assert before["X-Page-Cache"] == "miss"
    assert Client().get("/programs/")["X-Page-Cache"] == "hit"
    generate(30)
    after = Client().get("/programs/")
    assert after["X-Page-Cache"] == "miss"
    assert after.context["result_count"] == Program.objects.published().count()
    assert after.context["result_count"] > before.context["result_count"]


def test_the_same_seed_makes_the_same_directory_and_another_seed_another():
    generate(30, seed=7)
    first = fingerprint()
    generate(30, "--replace", seed=7)
    assert fingerprint() == first
    generate(30, "--replace", seed=8)
    assert fingerprint() != first


def test_it_asks_before_replacing_generated_data_and_keeps_the_real_content():
    real = set(Program.objects.values_list("slug", flat=True))
    generate(20)
    with pytest.raises(CommandError, match="--replace"):
        generate(20)
    generate(10, "--replace")
    assert generated().count() == 10
    assert real <= set(Program.objects.values_list("slug", flat=True))
    with pytest.raises(CommandError, match="at least 1"):
        generate(0, "--replace")
