"""The whole directory's counts (the unfiltered list's panel, the home page's countries,
regions and specialties): on PostgreSQL read from FilterCount, which triggers keep as the
search entries change; on SQLite counted. Whatever changes a program, the counts shown must
be those of the published programs at that moment."""

import threading
from collections import Counter

import pytest
from django.db import OperationalError, close_old_connections, connection, transaction
from django.http import QueryDict

from programs.facets import Facets
from programs.filters import ProgramFilter
from programs.models import FilterCount, Place, Program, Specialty, StaffingRequirement
from tests.factories import ProgramFactory
from tests.panel import assert_panel_counts_the_programs_own_rows

pytestmark = pytest.mark.django_db


def recounted():
    """{token: programs} worked out from the published programs' own tokens."""
    counts = Counter()
    for tokens in Program.objects.published().values_list("search_filters", flat=True):
        counts.update(["", *tokens.split()])
    return dict(counts)


def kept_counts_are_right():
    if connection.vendor != "postgresql":
        assert not FilterCount.objects.exists()  # SQLite keeps none
        return
    kept = {token: n for token, n in FilterCount.objects.as_dict().items() if n or token == ""}
    assert kept == {"": 0} | recounted()


def on_home_page(client, code):
    """The number of programs the home page gives for a country (0 when not listed)."""
    response = client.get("/")
    assert response.status_code == 200
    return {country.code: n for country, n in response.context["map_countries"]}.get(code, 0)


def test_counts_follow_every_change_of_the_directory(client):
    burns = Specialty.objects.get(slug="burns")
    kenya = ProgramFactory(
        name="Nakuru burns camp",
        places=["KE"],
        specialties=[burns],
        staffing=[{"role": "surgeon", "accepts_trainees": True}],
    )
    ProgramFactory(name="Kisumu cleft camp", places=["KE", "UG"])
    ProgramFactory(name="Hidden camp", places=["KE"], pending=True)
    kept_counts_are_right()
    assert_panel_counts_the_programs_own_rows(client)
    assert on_home_page(client, "KE") == 2

    # A place added and one removed through the ORM (the receivers rewrite the tokens).
    Place.objects.create(program=kenya, country="ZM", position=5)
    Place.objects.filter(program=kenya, country="KE").delete()
    kept_counts_are_right()
    assert on_home_page(client, "KE") == 1
    assert on_home_page(client, "ZM") == 1

    # Specialties and staffing changed.
    kenya.specialties.remove(burns)
    StaffingRequirement.objects.create(program=kenya, role="nurse", accepts_trainees=False)
    kept_counts_are_right()
    assert_panel_counts_the_programs_own_rows(client)

    # Withdrawn with update() (no save, no signal), published again, then deleted.
    Program.objects.filter(pk=kenya.pk).update(status=Program.Status.ARCHIVED)
    kept_counts_are_right()
    assert on_home_page(client, "ZM") == 0
    kenya.refresh_from_db()
    kenya.publish()
    kenya.save()
    kept_counts_are_right()
    assert on_home_page(client, "ZM") == 1
    kenya.delete()
    kept_counts_are_right()
    assert_panel_counts_the_programs_own_rows(client)

    # Many programs in one statement, either way.
    every = list(Program.objects.published().values_list("pk", flat=True))
    Program.objects.filter(pk__in=every).update(status=Program.Status.ARCHIVED)
    kept_counts_are_right()
    assert on_home_page(client, "KE") == 0
    Program.objects.filter(pk__in=every).update(status=Program.Status.PUBLISHED)
    kept_counts_are_right()
    assert_panel_counts_the_programs_own_rows(client)


def test_a_role_is_counted_beside_every_role_whose_people_fit(client):
    """A program asking for a surgeon counts for every kind of surgeon, one asking for a
    board-certified plastic surgeon for that role alone."""
    ProgramFactory(name="Any surgeon", places=["PE"], staffing=[{"role": "surgeon"}])
    ProgramFactory(
        name="Certified plastic", places=["PE"], staffing=[{"role": "certified-plastic-surgeon"}]
    )
    roles = client.get("/programs/").context["facet_counts"]["role"]
    before = Facets(ProgramFilter(QueryDict(""), queryset=Program.objects.published())).grouped()
    assert roles == before["role"]
    extra = {role: roles[role] for role in roles}
    # Compared with the seed alone: the two programs add to exactly these roles.
    Program.objects.filter(name__in=["Any surgeon", "Certified plastic"]).delete()
    seed = client.get("/programs/").context["facet_counts"]["role"]
    added = {role: extra[role] - seed[role] for role in roles}
    assert added == {
        "certified-plastic-surgeon": 2,
        "plastic-surgeon": 1,
        "certified-surgeon": 1,
        "surgeon": 1,
        "plastic-surgery-resident": 0,
        "anaesthesiologist": 0,
        "nurse": 0,
        "other": 0,
    }


@pytest.mark.django_db(transaction=True)
def test_two_moderators_writing_at_once_do_not_deadlock():
    """Two transactions each move two programs to countries the other one also writes, in
    opposite orders. The counts' rows are taken in one order (the total first), so one waits
    for the other instead of PostgreSQL breaking a deadlock by failing one of them. (SQLite
    keeps no counts, and takes one lock for a whole write anyway.)"""
    if connection.vendor != "postgresql":
        kept_counts_are_right()
        return
    programs = [ProgramFactory(name=f"Camp {i}", places=["PE"]) for i in range(4)]
    kept_counts_are_right()
    first_done = [threading.Event(), threading.Event()]
    errors = []

    def move(n, first, second):
        close_old_connections()
        try:
            with transaction.atomic():
                Place.objects.filter(program=programs[first[0]]).update(country=first[1])
                Program.objects.filter(pk=programs[first[0]].pk).refresh_search()
                first_done[n].set()
                # Give the other one the time to take its first rows too (it may be waiting
                # for ours, and then never comes).
                first_done[1 - n].wait(timeout=2)
                Place.objects.filter(program=programs[second[0]]).update(country=second[1])
                Program.objects.filter(pk=programs[second[0]].pk).refresh_search()
        except OperationalError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=move, args=(0, (0, "KE"), (1, "GT"))),
        threading.Thread(target=move, args=(1, (2, "GT"), (3, "KE"))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    kept_counts_are_right()
    moved = Place.objects.filter(program__in=programs).values_list("country", flat=True)
    assert sorted(moved) == ["GT", "GT", "KE", "KE"]
