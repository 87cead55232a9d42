"""The counted phrases of the sentences about the whole directory (home, impact)."""

from django import template
from django.utils.formats import localize
from django.utils.translation import npgettext

register = template.Library()


@register.simple_tag
def organizations_and_countries(organizations, countries):
    """{"organizations": "17 organizations", "countries": "22 countries"} in the active
    language: written once for both pages, each in the case it takes after "by" or "of" and
    after "in" (the messages' contexts), and with the right plural for its number."""
    return {
        "organizations": npgettext(
            "count after by or of",
            "%(counter)s organization",
            "%(counter)s organizations",
            organizations,
        )
        % {"counter": localize(organizations)},
        "countries": npgettext(
            "count after in", "%(counter)s country", "%(counter)s countries", countries
        )
        % {"counter": localize(countries)},
    }
