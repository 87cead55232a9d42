"""What search engines and link previews read on a program's page: schema.org JSON-LD and the
absolute addresses of Open Graph tags and the canonical link."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

register = template.Library()

# As Django's json_script: inside <script> these three could end the element or start markup.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    return context["request"].build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def program_json_ld(context, program):
    """The program as a schema.org WebPage about a Project. No contact details: the page's
    contact form is the way to reach the program. Expects `for_detail()`'s prefetches."""
    absolute = context["request"].build_absolute_uri
    organization = program.organization
    project = {
        "@type": "Project",
        "name": program.name,
        "description": program.description,
        "url": program.website or absolute(program.get_absolute_url()),
        "parentOrganization": {
            "@type": "Organization",
            "name": organization.name,
            "url": absolute(organization.get_absolute_url()),
            **({"sameAs": organization.website} if organization.website else {}),
        },
        "areaServed": [
            {
                "@type": "Place",
                "name": str(place),
                "address": {
                    "@type": "PostalAddress",
                    "addressCountry": place.country.code,
                    **({"addressLocality": place.locality} if place.locality else {}),
                },
            }
            for place in program.places.all()
        ],
        "knowsAbout": [specialty.name for specialty in program.specialties.all()],
    }
    page = {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "url": absolute(program.get_absolute_url()),
        "name": program.name,
        "mainEntity": project,
    }
    if program.last_verified_on:
        page["lastReviewed"] = program.last_verified_on
    if program.published_at:
        page["datePublished"] = program.published_at
    return page


@register.filter
def ld_json(value):
    """`value` as JSON that is safe inside a <script> element."""
    text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(_SCRIPT_ESCAPES))  # noqa: S308 -- escaped just above
