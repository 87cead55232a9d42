"""
The site's public addresses, found by walking the URL resolver rather than listed by hand, so
that the tests built on them (headers, moderation boundaries, fuzzing, accessibility, HTML
validity) cover a page, feed or export as soon as its URL pattern exists.

`public_routes()` gives every pattern outside the admin; `concrete_urls()` fills their
arguments with real values (slugs, country codes) so that each becomes an address to fetch.
"""

import itertools
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

# Namespaces that are not public: the admin is covered by its own tests.
PRIVATE_NAMESPACES = {"admin"}
# Routes that are not pages: the health check (JSON), sign-out (POST only), the thank-you page
# (a redirect without a submission in the session).
NOT_PAGES = {"healthz", "logout", "submissions:thanks", "set_language"}
# Routes that only a signed-in member reaches (they redirect anonymous visitors to sign in).
MEMBER_ONLY = {"submissions:mine", "password_change", "password_change_done"}


@dataclass(frozen=True)
class Route:
    name: str  # "programs:detail", or the pattern itself when it has no name
    pattern: str  # "programs/<slug:slug>/"
    arguments: tuple  # ("slug",)

    @property
    def is_feed(self):
        """Calendars, feeds and exports: anything that is not an HTML page."""
        return bool(re.search(r"\.(ics|xml|json|csv|rss|atom|txt)$", self.pattern)) or any(
            word in self.name for word in ("feed", "export", "sitemap", "calendar")
        )


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            if inner in PRIVATE_NAMESPACES:
                continue
            full = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else inner
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), full)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            arguments = tuple(re.findall(r"<(?:\w+:)?(\w+)>", pattern))
            yield Route(name or pattern, pattern, arguments)


def public_routes():
    return list(_walk(get_resolver().url_patterns))


def body(response):
    """The bytes of a response, streamed (the exports) or not."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def route_url(route, **kwargs):
    """The address of `route` with these arguments, or None when they do not fit it."""
    if not route.name or route.name == route.pattern:
        if kwargs:
            return None
        return "/" + route.pattern.lstrip("^").rstrip("$")
    try:
        return reverse(route.name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def concrete_urls(routes, values, limit_per_route=12):
    """[(route, url)] for each route, its arguments filled from `values`: {argument name:
    [candidate values]}, with `values["*"]` used for an argument no entry names (a pattern
    added later). Combinations that do not fit a pattern are left out."""
    urls = []
    for route in routes:
        choices = [values.get(arg, values.get("*", [])) for arg in route.arguments]
        seen = set()
        for combination in itertools.product(*choices):
            url = route_url(route, **dict(zip(route.arguments, combination, strict=True)))
            if url and url not in seen:
                seen.add(url)
                urls.append((route, url))
            if len(seen) >= limit_per_route:
                break
    return urls


def seed_values():
    """Real arguments for the public patterns, from the published content, plus the
    values the password-reset confirmation page expects."""
    from missions.models import Mission
    from programs.models import Organization, Program, Specialty

    program = Program.objects.published().order_by("slug").first()
    mission = Mission.objects.published().order_by("slug").first()
    values = {
        "code": ["pe"],
        "uidb64": ["MQ"],
        "token": ["set-password"],
        "section": ["pages", "programs"],
    }
    slugs = [
        program.slug,
        Organization.objects.with_published_programs().order_by("slug").first().slug,
        Specialty.objects.order_by("slug").first().slug,
    ]
    if mission:
        slugs.append(mission.slug)
    values["slug"] = slugs
    values["*"] = [*slugs, "pe", "1"]
    return values


def seed_pages(routes=None):
    """One address per public HTML page, with real content: what the accessibility and HTML
    checks go through. A slug pattern gets the slug of its own kind of object."""
    from missions.models import Mission
    from programs.models import Program, Specialty

    program = Program.objects.published().get(slug="nuevo-amanecer")
    mission = Mission.objects.active().order_by("slug").first()
    own_slug = {
        "programs:detail": program.slug,
        "submissions:suggest": program.slug,
        "programs:organization": program.organization.slug,
        "programs:specialty": Specialty.objects.filter(programs__in=[program]).first().slug,
    }
    if mission:  # the missions' seed (fixtures/missions.json) is loaded
        own_slug["missions:detail"] = mission.slug
    pages = []
    for route in routes or public_routes():
        if route.is_feed or route.name in MEMBER_ONLY | NOT_PAGES or "<" in route.name:
            continue
        if route.arguments == ("slug",) and route.name in own_slug:
            url = route_url(route, slug=own_slug[route.name])
        elif route.arguments == ("code",):
            url = route_url(route, code="pe")
        elif route.arguments:
            continue  # password-reset links and the like need a real token to show a form
        else:
            url = route_url(route)
        if url and not url.startswith("/bench/"):
            pages.append(url)
    return pages


class FormFields(HTMLParser):
    """The forms of a page: `get_names`, the field names of its GET forms (searches and
    filters), and `post_actions`, the addresses its POST forms send to."""

    def __init__(self, page_url=""):
        super().__init__()
        self.page_url = page_url
        self.get_names, self.post_actions, self.method = set(), set(), None

    @classmethod
    def of(cls, html, page_url=""):
        parser = cls(page_url)
        parser.feed(html)
        return parser

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.method = (attrs.get("method") or "get").lower()
            if self.method == "post":
                self.post_actions.add(attrs.get("action") or self.page_url)
        elif tag in ("input", "select", "textarea") and self.method == "get" and attrs.get("name"):
            self.get_names.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.method = None
