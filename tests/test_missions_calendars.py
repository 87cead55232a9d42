"""The iCalendar feeds, parsed with the icalendar package as a calendar program would."""

import datetime

import icalendar
import pytest

from programs.models import Specialty

from .factories import ProgramFactory
from .mission_factories import MissionFactory

pytestmark = pytest.mark.django_db


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events(calendar):
    """{mission title: event}; the summary is "title (program)"."""
    return {str(e["SUMMARY"]).split(" (")[0]: e for e in calendar.walk("VEVENT")}


def test_calendar_is_valid_icalendar_with_all_day_events(client):
    program = ProgramFactory(name="Andes Cleft")
    MissionFactory(
        program=program,
        title="Cusco week",
        city="Cusco",
        host_facility="Hospital Regional",
        start_on=datetime.date(2027, 3, 10),
        end_on=datetime.date(2027, 3, 16),
        description="A long description " * 20,
    )
    response = client.get("/missions/calendar.ics")
    raw = response.content
    # RFC 5545: CRLF line endings, lines folded at 75 octets.
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    calendar = parse(response)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    event = events(calendar)["Cusco week"]
    assert str(event["SUMMARY"]) == "Cusco week (Andes Cleft)"
    assert event["DTSTART"].dt == datetime.date(2027, 3, 10)
    assert event["DTSTART"].params.get("VALUE") == "DATE"
    assert event["DTEND"].dt == datetime.date(2027, 3, 17)  # the day after the last
    assert event["UID"].startswith("mission-") and "@testserver" in event["UID"]
    assert isinstance(event["DTSTAMP"].dt, datetime.datetime)
    assert event["DTSTAMP"].dt.utcoffset() == datetime.timedelta(0)
    assert str(event["LOCATION"]) == "Hospital Regional, Cusco, Peru"
    assert event["URL"].startswith("http://testserver/missions/")
    assert "A long description" in str(event["DESCRIPTION"])
    assert event["STATUS"] == "CONFIRMED"


def test_month_only_mission_spans_its_month_and_says_so(client):
    MissionFactory(title="March mission", month=(2027, 3), planned=True)
    event = events(parse(client.get("/missions/calendar.ics")))["March mission"]
    assert (event["DTSTART"].dt, event["DTEND"].dt) == (
        datetime.date(2027, 3, 1),
        datetime.date(2027, 4, 1),
    )
    assert "The exact days are not known yet." in str(event["DESCRIPTION"])
    assert event["STATUS"] == "TENTATIVE"


def test_uids_are_unique_and_stable(client):
    for n in range(3):
        MissionFactory(title=f"Mission {n}")
    first = [str(e["UID"]) for e in parse(client.get("/missions/calendar.ics")).walk("VEVENT")]
    again = [str(e["UID"]) for e in parse(client.get("/missions/calendar.ics")).walk("VEVENT")]
    assert len(set(first)) == 3
    assert first == again


def test_cancelled_missions_are_marked_cancelled_never_active(client):
    MissionFactory(title="Called off", cancelled=True)
    event = events(parse(client.get("/missions/calendar.ics")))["Called off"]
    assert event["STATUS"] == "CANCELLED"


def test_undated_missions_and_unpublished_programs_are_left_out(client):
    MissionFactory(title="No dates yet", undated=True, planned=True)
    MissionFactory(title="Hidden", program=ProgramFactory(pending=True))
    assert events(parse(client.get("/missions/calendar.ics"))) == {}


def test_program_country_and_specialty_calendars(client):
    noma = Specialty.objects.get(slug="noma")
    andes = ProgramFactory(name="Andes", slug="andes", specialties=[noma])
    MissionFactory(program=andes, title="Peru noma", country="PE")
    MissionFactory(title="Kenya general", country="KE")
    for url, titles in [
        ("/missions/calendar/programs/andes.ics", {"Peru noma"}),
        ("/missions/calendar/countries/ke.ics", {"Kenya general"}),
        ("/missions/calendar/countries/pe.ics", {"Peru noma"}),
        ("/missions/calendar/specialties/noma.ics", {"Peru noma"}),
        ("/missions/calendar.ics", {"Peru noma", "Kenya general"}),
    ]:
        assert set(events(parse(client.get(url)))) == titles, url
    calendar = parse(client.get("/missions/calendar/countries/ke.ics"))
    assert str(calendar["X-WR-CALNAME"]) == "Missions in Kenya"
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"


@pytest.mark.parametrize(
    "url",
    [
        "/missions/calendar/countries/zz.ics",
        "/missions/calendar/countries/PE.ics",
        "/missions/calendar/countries/peru.ics",
        "/missions/calendar/programs/nope.ics",
        "/missions/calendar/specialties/nope.ics",
    ],
)
def test_unknown_calendars_are_404(client, url):
    assert client.get(url).status_code == 404


def test_calendar_of_a_hidden_program_is_404(client):
    program = ProgramFactory(archived=True)
    MissionFactory(program=program)
    assert client.get(f"/missions/calendar/programs/{program.slug}.ics").status_code == 404


def test_calendar_query_count_is_fixed(client, django_assert_max_num_queries):
    for n in range(50):
        MissionFactory(title=f"Bulk {n}")
    with django_assert_max_num_queries(2):
        parse(client.get("/missions/calendar.ics"))


def test_the_calendar_keeps_the_past_year_and_what_is_coming(client):
    today = datetime.date.today()
    MissionFactory(
        title="Long ago",
        completed=True,
        start_on=today - datetime.timedelta(days=500),
        end_on=today - datetime.timedelta(days=494),
    )
    MissionFactory(
        title="Last spring",
        completed=True,
        start_on=today - datetime.timedelta(days=200),
        end_on=today - datetime.timedelta(days=194),
    )
    MissionFactory(title="Coming", start_on=today + datetime.timedelta(days=30))
    titles = set(events(parse(client.get("/missions/calendar.ics"))))
    assert {"Last spring", "Coming"} <= titles
    assert "Long ago" not in titles


def test_any_text_reads_back_exactly_from_lines_of_75_octets_at_most(client):
    # Two-, three- and four-octet characters, escapes and line breaks, shifted one position at
    # a time so that each of them falls on a fold of a long line.
    tricky = 'Córdoba, "Lomé"; C:\\temp\\ 手术 😷 ^caret\r\nsecond line\nthird\\n line, end'
    program = ProgramFactory(name="Ünïcode; program, with \\ backslash")
    titles = {}
    for shift in range(8):
        title = f"{'x' * shift}Mission {shift} — {tricky[:40]}"
        description = ("y" * shift + tricky) * 3
        MissionFactory(program=program, title=title, description=description)
        titles[title] = description
    raw = client.get("/missions/calendar.ics").content
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    # No character is cut in two where a line is folded.
    for line in raw.split(b"\r\n"):
        line.decode()  # raises where a character was cut
    calendar = icalendar.Calendar.from_ical(raw)
    found = {str(e["SUMMARY"]): str(e["DESCRIPTION"]) for e in calendar.walk("VEVENT")}
    for title, description in titles.items():
        # Line breaks of any kind read back as one: "\n".
        summary = f"{title} ({program.name})".replace("\r\n", "\n")
        assert summary in found, summary
        assert f"\n\n{description.replace('\r\n', '\n')}\n\n" in found[summary]
