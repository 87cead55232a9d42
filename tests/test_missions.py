"""Missions: dates and windows, what the list shows and hides, the program pages, bad input,
status changes, constraints and query counts."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from missions.models import Mission, MissionRole, MissionStatusError
from programs.models import Specialty

from .factories import ProgramFactory
from .mission_factories import ImpactFigureFactory, MissionFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """Missions are upcoming or past relative to a fixed day, so that tests do not age."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def slugs(response):
    return [m.slug for m in response.context["missions"]]


# --- Dates and windows --------------------------------------------------------------------


def test_month_only_mission_is_stored_as_the_whole_month():
    mission = MissionFactory.build(
        program=ProgramFactory(),
        date_precision=Mission.DatePrecision.MONTH,
        start_on=datetime.date(2027, 2, 17),
        end_on=None,
    )
    mission.full_clean()
    assert (mission.start_on, mission.end_on) == (
        datetime.date(2027, 2, 1),
        datetime.date(2027, 2, 28),
    )
    assert mission.dates_display == "February 2027"


def test_month_only_mission_over_several_months():
    mission = MissionFactory.build(
        program=ProgramFactory(),
        date_precision=Mission.DatePrecision.MONTH,
        start_on=datetime.date(2027, 3, 5),
        end_on=datetime.date(2027, 5, 2),
    )
    mission.full_clean()
    assert (mission.start_on, mission.end_on) == (
        datetime.date(2027, 3, 1),
        datetime.date(2027, 5, 31),
    )
    assert mission.dates_display == "March–May 2027"


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ((2027, 3, 10), (2027, 3, 10), "10 March 2027"),
        ((2027, 3, 10), (2027, 3, 16), "10–16 March 2027"),
        ((2027, 3, 28), (2027, 4, 3), "28 March–3 April 2027"),
        ((2027, 12, 28), (2028, 1, 3), "28 December 2027–3 January 2028"),
    ],
)
def test_exact_dates_display(start, end, expected):
    mission = MissionFactory.build(start_on=datetime.date(*start), end_on=datetime.date(*end))
    assert mission.dates_display == expected


def test_one_day_mission_ends_the_day_it_starts():
    mission = MissionFactory.build(
        program=ProgramFactory(), start_on=datetime.date(2027, 3, 10), end_on=None
    )
    mission.full_clean()
    assert mission.end_on == datetime.date(2027, 3, 10)


def test_end_before_start_is_refused_by_the_form_and_the_database():
    mission = MissionFactory.build(
        program=ProgramFactory(),
        start_on=datetime.date(2027, 3, 10),
        end_on=datetime.date(2027, 3, 1),
    )
    with pytest.raises(ValidationError) as raised:
        mission.full_clean()
    assert raised.value.error_dict["end_on"][0].code == "end_before_start"
    with pytest.raises(IntegrityError), transaction.atomic():
        MissionFactory(start_on=datetime.date(2027, 3, 10), end_on=datetime.date(2027, 3, 1))


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "postponed"},
        {"date_precision": "week"},
        {"travel": "free"},
        {"date_precision": "unknown"},  # with dates
        {"start_on": None, "end_on": None},  # exact days without days
        {"end_on": None},
        {"duration_days": 0},
    ],
)
def test_database_refuses_inconsistent_missions(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        MissionFactory(**fields)


def test_team_role_is_unique_per_mission_and_checked():
    mission = MissionFactory(team=[{"role": "surgeon", "count": 2}])
    with pytest.raises(IntegrityError), transaction.atomic():
        MissionRole.objects.create(mission=mission, role="surgeon")
    with pytest.raises(IntegrityError), transaction.atomic():
        MissionRole.objects.create(mission=mission, role="astronaut")
    with pytest.raises(IntegrityError), transaction.atomic():
        MissionRole.objects.create(mission=mission, role="nurse", count=0)


@pytest.mark.parametrize(
    ("window", "found"),
    [
        ("from=2027-03&to=2027-05", {"march-month", "march-days", "straddling-may", "may-end"}),
        ("from=2027-03&to=2027-03", {"march-month", "march-days"}),
        ("from=2027-03-20&to=2027-03-25", {"march-month"}),
        ("from=2027-04", {"straddling-may", "may-end", "june"}),
        ("to=2027-02", {"february"}),
        ("from=2027-06&to=2027-08", {"june", "straddling-may"}),
    ],
)
def test_window_finds_missions_that_take_place_in_it(client, window, found):
    MissionFactory(slug="march-month", month=(2027, 3))
    MissionFactory(
        slug="march-days", start_on=datetime.date(2027, 3, 2), end_on=datetime.date(2027, 3, 9)
    )
    MissionFactory(
        slug="february", start_on=datetime.date(2027, 2, 1), end_on=datetime.date(2027, 2, 28)
    )
    MissionFactory(
        slug="straddling-may", start_on=datetime.date(2027, 5, 28), end_on=datetime.date(2027, 6, 4)
    )
    MissionFactory(slug="may-end", month=(2027, 5))
    MissionFactory(slug="june", month=(2027, 6))
    MissionFactory(slug="undated", undated=True, planned=True)
    response = client.get(f"/missions/?{window}")
    assert set(slugs(response)) == found
    assert response.context["problems"] == []


def test_march_mission_is_found_by_march_to_may_and_shown_as_its_month(client):
    MissionFactory(slug="cleft-march", title="Cleft mission in March", month=(2027, 3))
    response = client.get("/missions/?from=2027-03&to=2027-05")
    assert slugs(response) == ["cleft-march"]
    text = response.content.decode()
    assert "March 2027" in text
    assert 'value="2027-03"' in text and 'value="2027-05"' in text  # the form keeps the window


def test_upcoming_first_soonest_first_and_undated_last(client):
    MissionFactory(
        slug="later", start_on=datetime.date(2027, 9, 1), end_on=datetime.date(2027, 9, 5)
    )
    MissionFactory(
        slug="sooner", start_on=datetime.date(2027, 1, 4), end_on=datetime.date(2027, 1, 8)
    )
    MissionFactory(
        slug="under-way", start_on=datetime.date(2026, 11, 28), end_on=datetime.date(2026, 12, 3)
    )
    MissionFactory(slug="tba", undated=True, planned=True)
    MissionFactory(
        slug="over", start_on=datetime.date(2026, 10, 1), end_on=datetime.date(2026, 10, 5)
    )
    response = client.get("/missions/")
    assert slugs(response) == ["under-way", "sooner", "later", "tba"]
    assert [m.slug for m in response.context["recent_past"]] == ["over"]


def test_past_missions_show_their_results(client):
    mission = MissionFactory(
        slug="done",
        completed=True,
        start_on=datetime.date(2026, 5, 1),
        end_on=datetime.date(2026, 5, 8),
    )
    ImpactFigureFactory(
        scope="mission", mission=mission, program=None, metric="surgeries", value=41
    )
    response = client.get("/missions/?when=past")
    assert slugs(response) == ["done"]
    assert "<strong>41</strong> surgeries" in response.content.decode()


def test_filters_by_country_specialty_and_role_needed(client):
    cleft = Specialty.objects.get(slug="cleft-lip-and-palate")
    MissionFactory(
        slug="peru-cleft",
        program=ProgramFactory(specialties=[cleft]),
        team=[{"role": "surgeon", "count": 3, "open_places": 2}],
    )
    MissionFactory(slug="peru-full", team=[{"role": "surgeon", "count": 3, "open_places": 0}])
    MissionFactory(slug="kenya-nurse", country="KE", team=[{"role": "nurse", "open_places": 1}])
    assert set(slugs(client.get("/missions/?country=pe"))) == {"peru-cleft", "peru-full"}
    assert slugs(client.get("/missions/?specialty=cleft-lip-and-palate")) == ["peru-cleft"]
    # A board-certified plastic surgeon fits a place for a surgeon; nobody fits a full team.
    assert slugs(client.get("/missions/?role=certified-plastic-surgeon")) == ["peru-cleft"]
    assert slugs(client.get("/missions/?role=nurse&country=KE")) == ["kenya-nurse"]


def test_list_offers_the_calendars_of_the_chosen_country_and_specialty(client):
    text = client.get("/missions/?country=PE&specialty=noma").content.decode()
    assert 'href="/missions/calendar.ics"' in text
    assert 'href="/missions/calendar/countries/pe.ics"' in text
    assert 'href="/missions/calendar/specialties/noma.ics"' in text
    assert 'href="webcal://testserver/missions/calendar/countries/pe.ics"' in text


# --- Bad input: a message, never a 500 ----------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2027-13", "From was ignored: “2027-13” is not a month or a day"),
        ("from=March", "From was ignored: “March” is not a month or a day"),
        ("to=2027-02-30", "To was ignored: “2027-02-30” is not a month or a day"),
        ("from=2027-05&to=2027-03", "To was ignored: it is before “from”."),
        ("from=99999-01", "is not a month or a day"),
        ("country=ZZ", "“ZZ” is not a country code we know"),
        ("specialty=nope", "Specialty was ignored"),
        ("role=astronaut", "Role needed was ignored"),
        ("when=someday", "Missions was ignored"),
        ("page=abc", "“abc” is not a page number; showing page 1."),
        ("page=9", "There is no page 9; showing page 1 of 1."),
    ],
)
def test_bad_parameters_are_explained_and_the_rest_applies(client, query, message):
    MissionFactory(slug="peru", month=(2027, 3))
    MissionFactory(slug="kenya", country="KE", month=(2027, 3))
    response = client.get(f"/missions/?{query}&country=PE")
    assert response.status_code == 200
    assert message in response.content.decode()
    if "country=ZZ" not in query:
        assert slugs(response) == ["peru"]


def test_reversed_window_is_left_out_entirely(client):
    MissionFactory(slug="march", month=(2027, 3))
    MissionFactory(slug="july", month=(2027, 7))
    response = client.get("/missions/?from=2027-06&to=2027-04")
    assert set(slugs(response)) == {"march", "july"}


@pytest.mark.parametrize(
    "query",
    [
        "from=%00",
        "to=" + "9" * 5000,
        "from=2027-00",
        "from=-1-01",
        "specialty=%ff",
        "when=past&when=x",
        "page=1e9",
    ],
)
def test_malformed_parameters_never_fail(client, query):
    assert client.get(f"/missions/?{query}").status_code == 200


# --- Only missions of published programs; cancelled ones are not listed ------------------


@pytest.fixture(params=["pending", "rejected", "archived"])
def hidden_program(request):
    return ProgramFactory(name="Zanzibar Hidden Outreach", **{request.param: True})


def test_missions_of_unpublished_programs_are_invisible(client, hidden_program):
    mission = MissionFactory(
        program=hidden_program, title="Hidden mission", slug="hidden-mission", month=(2027, 3)
    )
    ImpactFigureFactory(scope="mission", mission=mission, program=None, value=999)
    assert client.get("/missions/hidden-mission/").status_code == 404
    for url in [
        "/missions/",
        "/missions/?country=PE",
        "/missions/?when=past",
        "/impact/",
        "/missions/calendar.ics",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"Hidden mission" not in response.content, url
        assert b"hidden-mission" not in response.content, url
    assert client.get(f"/missions/calendar/programs/{hidden_program.slug}.ics").status_code == 404


def test_cancelled_missions_are_not_listed_but_keep_their_page(client):
    MissionFactory(slug="called-off", title="Called-off mission", cancelled=True, month=(2027, 3))
    MissionFactory(slug="called-off-past", title="Called-off past", cancelled=True, month=(2026, 3))
    for url in ["/missions/", "/missions/?when=past", "/missions/?from=2027-03&to=2027-05"]:
        assert b"Called-off" not in client.get(url).content, url
    page = client.get("/missions/called-off/").content.decode()
    assert "This mission was cancelled." in page


def test_country_filter_choices_come_from_active_published_missions(client):
    MissionFactory(country="KE")
    MissionFactory(country="FR", cancelled=True)
    MissionFactory(country="NO", program=ProgramFactory(pending=True))
    codes = {c.code for c in client.get("/missions/").context["filter_countries"]}
    assert codes == {"KE"}


# --- Program pages --------------------------------------------------------------------------


def test_program_page_shows_upcoming_and_past_missions_but_not_cancelled(client):
    program = ProgramFactory(places=["PE"])
    MissionFactory(program=program, title="Next mission", month=(2027, 3))
    MissionFactory(program=program, title="Last mission", completed=True, month=(2026, 3))
    MissionFactory(program=program, title="Cancelled mission", cancelled=True, month=(2027, 4))
    text = client.get(program.get_absolute_url()).content.decode()
    upcoming, past = text.split("Past missions and their results")
    assert "Next mission" in upcoming and "Last mission" in past
    assert "Cancelled mission" not in text
    assert f'href="/missions/calendar/programs/{program.slug}.ics"' in text


def test_upcoming_and_past_rules_agree_between_queryset_and_model():
    for status in Mission.Status.values:
        for month in [(2026, 6), (2026, 12), (2027, 6)]:
            MissionFactory(status=status, month=month)
        MissionFactory(status=status, undated=True)
    upcoming = set(Mission.objects.upcoming(TODAY).values_list("pk", flat=True))
    past = set(Mission.objects.past(TODAY).values_list("pk", flat=True))
    for mission in Mission.objects.all():
        assert mission.is_upcoming(TODAY) == (mission.pk in upcoming), mission
        assert mission.is_past(TODAY) == (mission.pk in past), mission
    assert not upcoming & past


# --- Status changes -------------------------------------------------------------------------


def test_status_verbs_check_the_move():
    mission = MissionFactory(start_on=datetime.date(2027, 3, 1), end_on=datetime.date(2027, 3, 5))
    with pytest.raises(MissionStatusError):
        mission.mark_completed(today=TODAY)  # has not started
    mission.cancel()
    assert mission.status == Mission.Status.CANCELLED
    with pytest.raises(MissionStatusError):
        mission.cancel()
    with pytest.raises(MissionStatusError):
        mission.mark_completed(today=datetime.date(2027, 4, 1))
    done = MissionFactory(completed=True)
    with pytest.raises(MissionStatusError):
        done.cancel()


def test_admin_cancels_missions_with_the_action(admin_client):
    mission = MissionFactory()
    done = MissionFactory(completed=True)
    response = admin_client.post(
        "/admin/missions/mission/",
        {"action": "cancel_missions", "_selected_action": [mission.pk, done.pk]},
        follow=True,
    )
    assert response.status_code == 200
    mission.refresh_from_db()
    done.refresh_from_db()
    assert mission.status == Mission.Status.CANCELLED
    assert done.status == Mission.Status.COMPLETED
    assert "A completed mission cannot be cancelled." in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/missions/mission/",
        "/admin/missions/mission/add/",
        "/admin/missions/impactfigure/",
        "/admin/missions/impactfigure/add/",
        "/admin/missions/campaign/",
        "/admin/missions/mission/?status=open&q=Lima",
    ],
)
def test_admin_pages_answer(admin_client, url):
    MissionFactory()
    assert admin_client.get(url).status_code == 200


def test_program_admin_lists_its_missions(admin_client):
    mission = MissionFactory(title="Inline mission")
    text = admin_client.get(
        f"/admin/programs/program/{mission.program.pk}/change/"
    ).content.decode()
    assert "Inline mission" in text


def test_pages_of_missions_keep_the_filters(client):
    program = ProgramFactory(name="Paged program", places=["PE"])
    for n in range(30):
        MissionFactory(program=program, month=(2027, 1 + n % 12), status=Mission.Status.OPEN)
    first = client.get("/missions/?country=PE")
    assert len(first.context["missions"]) == 25
    text = first.content.decode()
    assert 'rel="next" href="?country=PE&amp;page=2"' in text
    assert "Page 1 of 2" in text and 'rel="prev"' not in text
    second = client.get("/missions/?country=PE&page=2")
    assert len(second.context["missions"]) == 5
    text = second.content.decode()
    assert 'rel="prev" href="?country=PE&amp;page=1"' in text
    assert "Page 2 of 2" in text and 'rel="next"' not in text


# --- Query counts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/missions/",
        "/missions/?when=past",
        "/missions/?from=2026-01&to=2027-12&country=PE&specialty=noma&role=surgeon",
        "/missions/?page=2",
        "/programs/bulk-program/",
    ],
)
def test_missions_query_count_is_fixed(client, url):
    noma = Specialty.objects.get(slug="noma")
    program = ProgramFactory(name="Bulk program", places=["PE"], specialties=[noma])
    counts = []
    made = 0
    for total in (10, 200):
        for n in range(made, total):
            upcoming = n % 2 == 0
            mission = MissionFactory(
                program=program,
                month=(2027, 1 + n % 12) if upcoming else (2026, 1 + n % 11),
                status=Mission.Status.OPEN if upcoming else Mission.Status.COMPLETED,
                team=[{"role": "surgeon", "count": 2, "open_places": 1}, {"role": "nurse"}],
            )
            ImpactFigureFactory(scope="mission", mission=mission, program=None)
        made = total
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 10, counts


def test_constraint_names_are_registered():
    names = {c.name for c in Mission._meta.constraints}
    assert {
        "mission_status_valid",
        "mission_date_precision_valid",
        "mission_coverage_valid",
        "mission_dates_match_precision",
        "mission_start_lte_end",
        "mission_duration_positive",
    } <= names
