"""
Missions as iCalendar (RFC 5545) for desktop and phone calendars to subscribe to.

Each dated mission is an all-day event from its first day to the day after its last (a
month-only mission spans the month); undated missions cannot be placed and are left out.
Cancelled missions stay in the feed with STATUS:CANCELLED, so that a calendar that imported
the event marks it cancelled instead of keeping a trip that will not happen.
"""

import datetime

from django.http.request import split_domain_port
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import Mission

PRODID = "-//Humanitarian Surgery Directory//Missions//EN"
# How often a subscribed calendar should fetch the feed again.
REFRESH = datetime.timedelta(hours=12)

STATUS = {
    Mission.Status.PLANNED: "TENTATIVE",
    Mission.Status.OPEN: "CONFIRMED",
    Mission.Status.FULL: "CONFIRMED",
    Mission.Status.COMPLETED: "CONFIRMED",
    Mission.Status.CANCELLED: "CANCELLED",
}


def mission_uid(mission, request):
    """Stable for as long as the mission exists on this site: its id and the site's host."""
    domain, _port = split_domain_port(request.get_host())
    return f"mission-{mission.pk}@{domain or 'localhost'}"


def event_description(mission, url):
    program, organization = mission.program.name, mission.program.organization.name
    lines = [
        program if program == organization else f"{program} ({organization})",
        _("Status: %(status)s") % {"status": mission.get_status_display()},
        _("Dates: %(dates)s") % {"dates": mission.dates_display},
    ]
    if mission.is_month_only:
        lines.append(_("The exact days are not known yet."))
    if mission.description:
        lines += ["", mission.description]
    lines += ["", url]
    return "\n".join(lines)


def build_calendar(missions, *, name, request):
    """The iCalendar text (bytes, CRLF line endings, folded lines) of `missions`."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    # RFC 7986's property, and the older one that Outlook and Apple Calendar read.
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT12H")
    for mission in missions:
        if mission.start_on is None:
            continue
        url = request.build_absolute_uri(mission.get_absolute_url())
        event = Event()
        event.add("uid", mission_uid(mission, request))
        event.add("dtstamp", mission.updated_at)
        event.add("last-modified", mission.updated_at)
        event.add("dtstart", mission.start_on)
        event.add("dtend", mission.calendar_end)
        event.add("summary", f"{mission.title} ({mission.program.name})")
        event.add("location", mission.place_display)
        event.add("description", event_description(mission, url))
        event.add("url", url)
        event.add("status", STATUS[mission.status])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
