"""Pieces of missions and impact that the program pages show: the world map and a
program's missions. They keep the program views unaware of the missions app."""

from django import template
from django.utils import timezone

from .. import maps
from ..models import Mission

register = template.Library()


@register.inclusion_tag("missions/includes/world_map.html")
def world_map(countries=None, highlight=None, size="small", links=True):
    """`countries`: [(Country, count)] or {code: count}, shaded by count; or `highlight`:
    a program's places, highlighted. No query: both come from the page's context.
    `links=False` draws the countries without links, for a page that lists them."""
    if highlight is not None:
        codes = [str(place.country.code) for place in highlight]
        return {"map": maps.highlight_map(codes, size=size)}
    return {"map": maps.program_map(countries or {}, size=size, links=links)}


@register.inclusion_tag("missions/includes/program_missions.html")
def program_missions(program):
    """A published program's upcoming and past missions (cancelled ones are not shown), in
    three queries however many there are."""
    today = timezone.localdate()
    missions = list(Mission.objects.active().filter(program=program).for_listing())
    upcoming = sorted(
        (m for m in missions if m.is_upcoming(today)), key=lambda m: m.sort_key_soonest
    )
    past = sorted((m for m in missions if m.is_past(today)), key=lambda m: m.sort_key_latest)
    return {"program": program, "upcoming": upcoming, "past": past}
