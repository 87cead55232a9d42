"""
Missions as iCalendar (RFC 5545) for desktop and phone calendars to subscribe to.

Each dated mission is an all-day event from its first day to the day after its last (a
month-only mission spans the month); undated missions cannot be placed and are left out.
Cancelled missions stay in the feed with STATUS:CANCELLED, so that a calendar that imported
the event marks it cancelled instead of keeping a trip that will not happen.

The feed is written here, line by line, rather than built as icalendar objects: a calendar
of thousands of events is one of the largest responses of the site, and written with the
icalendar package it took about 1.4 s at 10,000 programs (3,000 events), most of it folding
lines character by character. The few property types of these feeds (text, dates, UTC
times, a URI) and the folding are below; the tests read every feed back with the icalendar
package, as a calendar program would.
"""

import datetime

from django.db.models import F
from django.http.request import split_domain_port
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Mission

PRODID = "-//Humanitarian Surgery Directory//Missions//EN"
# How often a subscribed calendar should fetch the feed again.
REFRESH = "PT12H"

STATUS = {
    Mission.Status.PLANNED: "TENTATIVE",
    Mission.Status.OPEN: "CONFIRMED",
    Mission.Status.FULL: "CONFIRMED",
    Mission.Status.COMPLETED: "CONFIRMED",
    Mission.Status.CANCELLED: "CANCELLED",
}

# The fields an event is written from (MissionCalendarView loads only these).
MISSION_FIELDS = [
    "slug",
    "title",
    "description",
    "city",
    "host_facility",
    "country",
    "start_on",
    "end_on",
    "date_precision",
    "status",
    "updated_at",
]
# And, annotated on each mission instead of loading its program and organization as models
# (which cost more than writing the event): the names the event gives.
MISSION_NAMES = {
    "program_name": F("program__name"),
    "organization_name": F("program__organization__name"),
}
# Stands for a mission's slug in its URL, reversed once for the whole feed.
SLUG = "mission-slug"

# RFC 5545 3.1: lines longer than this many octets are folded. A folded part ends before the
# octet that would reach it, and never inside a UTF-8 character or after a backslash or a
# caret, which would split an escape (the icalendar package's rule, which clients expect).
FOLD_AT = 75
UTF8_CONTINUATION = range(0x80, 0xC0)


def text(value):
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks escaped."""
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def date_value(day):
    return day.strftime("%Y%m%d")


def utc_value(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line):
    """The content line `line` as octets, folded (RFC 5545 3.1)."""
    data = line.encode()
    if len(data) < FOLD_AT:
        return data
    parts, start = [], 0
    while len(data) - start >= FOLD_AT:
        cut = start + FOLD_AT - 1
        while data[cut] in UTF8_CONTINUATION:
            cut -= 1
        if data[cut - 1] in b"\\^" and cut - 1 > start:
            cut -= 1
        parts.append(data[start:cut])
        start = cut
    parts.append(data[start:])
    return b"\r\n ".join(parts)


def mission_uid(mission, domain):
    """Stable for as long as the mission exists on this site: its id and the site's host."""
    return f"mission-{mission.pk}@{domain or 'localhost'}"


class Wording:
    """The event texts in the active language, translated once for the whole feed."""

    def __init__(self):
        self.statuses = {status: str(label) for status, label in Mission.Status.choices}
        self.status = _("Status: %(status)s")
        self.dates = _("Dates: %(dates)s")
        self.month_only = _("The exact days are not known yet.")

    def description(self, mission, url):
        program, organization = mission.program_name, mission.organization_name
        lines = [
            program if program == organization else f"{program} ({organization})",
            self.status % {"status": self.statuses[mission.status]},
            self.dates % {"dates": mission.dates_display},
        ]
        if mission.is_month_only:
            lines.append(self.month_only)
        if mission.description:
            lines += ["", mission.description]
        lines += ["", url]
        return "\n".join(lines)


def build_calendar(missions, *, name, request):
    """The iCalendar text (bytes, CRLF line endings, folded lines) of `missions`."""
    domain, _port = split_domain_port(request.get_host())
    # Every URL of the feed begins so: reversed and made absolute once, not per event
    # (reversing each mission's took a fifth of the feed's time).
    before, after = request.build_absolute_uri(
        reverse("missions:detail", kwargs={"slug": SLUG})
    ).split(SLUG)
    wording = Wording()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{text(PRODID)}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{text(name)}",
        f"X-WR-CALNAME:{text(name)}",
        # RFC 7986's property, and the older one that Outlook and Apple Calendar read.
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
        f"X-PUBLISHED-TTL:{REFRESH}",
    ]
    for mission in missions:
        if mission.start_on is None:
            continue
        url = f"{before}{mission.slug}{after}"
        stamp = utc_value(mission.updated_at)
        lines += [
            "BEGIN:VEVENT",
            f"SUMMARY:{text(f'{mission.title} ({mission.program_name})')}",
            f"DTSTART;VALUE=DATE:{date_value(mission.start_on)}",
            f"DTEND;VALUE=DATE:{date_value(mission.calendar_end)}",
            f"DTSTAMP:{stamp}",
            f"UID:{text(mission_uid(mission, domain))}",
            f"DESCRIPTION:{text(wording.description(mission, url))}",
            f"LAST-MODIFIED:{stamp}",
            f"LOCATION:{text(mission.place_display)}",
            f"STATUS:{STATUS[mission.status]}",
            "TRANSP:TRANSPARENT",
            f"URL:{url}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return b"\r\n".join(fold(line) for line in lines) + b"\r\n"
