"""
The published directory as open data: /export/programs.csv and /export/programs.json.

Both take the list's parameters (q, country, region, specialty, role, frequency, trainees,
sort) through the same ProgramFilter, so a link to a filtered list becomes a link to its data
by changing the path. A parameter that does not validate is left out, as on the list; its
name is given in the X-Ignored-Parameters header (and in the JSON's "ignored").

Contacts are never exported, not even their names: the contact form of the program's page
(`contact_url`) reaches them without handing out their addresses.

A CSV cell that would start with a formula sign (= + - @, a tab or a carriage return) starts
with an apostrophe instead: the texts come from submissions, and a spreadsheet program would
run "=HYPERLINK(...)" as a formula on the computer of whoever opens the file. Spreadsheets
show the apostrophe as nothing; the JSON carries every text exactly as written.
"""

import csv
import itertools
import json
import re

from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.views import View

from .filters import ProgramFilter
from .models import Program, Role
from .search import country_name

# Several values in one CSV cell.
SEPARATOR = "; "
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
PLACEHOLDER = "slug-placeholder"
# What makes a spreadsheet read a cell as a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """`value` as text that no spreadsheet program takes for a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _yes_no(value):
    return {True: "yes", False: "no", None: ""}[value]


class Site:
    """What every record of one export shares, worked out once: the site's address (each
    record holds five links) and the names of countries, roles and specialties in the
    visitor's language."""

    def __init__(self, request):
        self.root = request.build_absolute_uri("/")[:-1]
        self.roles = {value: str(label) for value, label in Role.choices}
        self._patterns = {}

    def url(self, name, slug):
        """The full URL of the page `name` of `slug`: reverse()d once per name, since a slug
        (letters, digits, "-" and "_") goes into a path as it is."""
        if not SLUG.fullmatch(slug):
            return self.root + reverse(name, kwargs={"slug": slug})
        if name not in self._patterns:
            self._patterns[name] = self.root + reverse(name, kwargs={"slug": PLACEHOLDER})
        return self._patterns[name].replace(PLACEHOLDER, slug)


def program_record(program, site):
    """One program as the JSON export shows it; `site` a Site of the request.
    Expects the prefetches of `ProgramQuerySet.for_export()`."""
    organization = program.organization
    return {
        "name": program.name,
        "slug": program.slug,
        "url": site.url("programs:detail", program.slug),
        "contact_url": site.url("programs:contact", program.slug),
        "organization": {
            "name": organization.name,
            "slug": organization.slug,
            "url": site.url("programs:organization", organization.slug),
            "website": organization.website,
        },
        "website": program.website,
        "description": program.description,
        "needs_text": program.needs_text,
        "location_text": program.location_text,
        "places": [
            {
                "country": place.country.code,
                "country_name": country_name(place.country.code),
                "locality": place.locality,
            }
            for place in program.listed_places
        ],
        "specialties": [
            {"slug": s.slug, "name": s.name, "url": site.url("programs:specialty", s.slug)}
            for s in program.listed_specialties
        ],
        "staffing": [
            {
                "role": requirement.role,
                "role_name": site.roles.get(requirement.role, requirement.role),
                "min_count": requirement.min_count,
                "max_count": requirement.max_count,
                "period": requirement.period,
                "accepts_trainees": requirement.accepts_trainees,
                "wording": requirement.wording,
            }
            for requirement in program.listed_staffing
        ],
        "accepts_trainees": any(r.accepts_trainees for r in program.listed_staffing),
        "frequency": {
            "kind": program.frequency,
            "min": program.frequency_min,
            "max": program.frequency_max,
            "summary": str(program.frequency_summary),
            "text": program.frequency_text,
        },
        "min_commitment": program.min_commitment,
        "resources_required": program.resources_required,
        "trains_local_staff": program.trains_local_staff,
        "last_verified": program.last_verified_on,
        "published_at": program.published_at,
        "source": {"name": program.source, "url": program.source_url},
    }


# CSV: one row per program, (header, value from the JSON record).
CSV_COLUMNS = [
    ("name", lambda r: r["name"]),
    ("url", lambda r: r["url"]),
    ("organization", lambda r: r["organization"]["name"]),
    ("organization_url", lambda r: r["organization"]["url"]),
    ("website", lambda r: r["website"]),
    ("countries", lambda r: SEPARATOR.join(dict.fromkeys(p["country"] for p in r["places"]))),
    (
        "places",
        lambda r: SEPARATOR.join(
            ", ".join(filter(None, [p["locality"], p["country_name"]])) for p in r["places"]
        ),
    ),
    ("specialties", lambda r: SEPARATOR.join(s["name"] for s in r["specialties"])),
    ("roles", lambda r: SEPARATOR.join(dict.fromkeys(s["role_name"] for s in r["staffing"]))),
    ("accepts_trainees", lambda r: _yes_no(r["accepts_trainees"])),
    ("frequency", lambda r: r["frequency"]["summary"]),
    ("frequency_text", lambda r: r["frequency"]["text"]),
    ("min_commitment", lambda r: r["min_commitment"]),
    ("resources_required", lambda r: r["resources_required"]),
    ("needs_text", lambda r: r["needs_text"]),
    ("description", lambda r: r["description"]),
    ("trains_local_staff", lambda r: _yes_no(r["trains_local_staff"])),
    ("last_verified", lambda r: r["last_verified"].isoformat() if r["last_verified"] else ""),
    ("published_at", lambda r: r["published_at"].isoformat() if r["published_at"] else ""),
    ("source", lambda r: r["source"]["name"]),
    ("source_url", lambda r: r["source"]["url"]),
    ("contact_url", lambda r: r["contact_url"]),
]


class ProgramExportView(View):
    """The filtered, published directory, written as it is read: the programs come
    `chunk_size` at a time (through a server-side cursor on PostgreSQL, with three queries
    for each chunk's places, specialties and staffing), and each chunk is sent before the
    next is read. A worker's memory then stays the same whatever the size of the directory:
    built whole, the JSON of 10,000 programs took a worker from 66 to 267 MB; now it adds
    about 10 MB."""

    http_method_names = ["get", "head", "options"]
    filename = None
    disposition = "attachment"
    content_type = None
    chunk_size = 500

    def get(self, request):
        filterset = ProgramFilter(request.GET, queryset=Program.objects.published().for_export())
        programs = filterset.qs  # validates: the errors are known before the first byte
        site = Site(request)

        def records():
            for program in programs.iterator(chunk_size=self.chunk_size):
                yield program_record(program, site)
                # A program's places and staffing point back to it: a cycle, which only the
                # garbage collector frees, and it runs seldom. Broken here, each chunk is
                # freed as soon as the next is read (a worker grew by 50 MB otherwise).
                program.listed_places = program.listed_staffing = ()

        language = translation.get_language()

        def body():
            # Written after the view has returned, while the server sends the response: in
            # the request's language, whatever the thread speaks by then.
            with translation.override(language):
                yield from self.render(records(), filterset)

        response = StreamingHttpResponse(body(), content_type=self.content_type)
        response["Content-Disposition"] = f'{self.disposition}; filename="{self.filename}"'
        if filterset.errors:
            # Names of the filter's own fields only: nothing the visitor typed.
            response["X-Ignored-Parameters"] = ", ".join(sorted(filterset.errors))
        return response

    def render(self, records, filterset):
        """The body, as an iterable of strings."""
        raise NotImplementedError


class Echo:
    """A file that hands back what is written to it: csv.writer's rows as strings."""

    def write(self, value):
        return value


class ProgramCSVView(ProgramExportView):
    filename = "programs.csv"
    content_type = "text/csv; charset=utf-8"

    def render(self, records, filterset):
        writer = csv.writer(Echo(), quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        # A byte-order mark, so that spreadsheet programs read the file as UTF-8.
        yield "\ufeff" + writer.writerow([header for header, _value in CSV_COLUMNS])
        for batch in itertools.batched(records, self.chunk_size):
            yield "".join(
                writer.writerow([spreadsheet_safe(value(record)) for _header, value in CSV_COLUMNS])
                for record in batch
            )


class ProgramJSONView(ProgramExportView):
    filename = "programs.json"
    disposition = "inline"
    content_type = "application/json; charset=utf-8"

    def get(self, request):
        response = super().get(request)
        # Public data, read without credentials: any site may fetch it.
        response["Access-Control-Allow-Origin"] = "*"
        return response

    def render(self, records, filterset):
        def dumps(value):
            return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)

        # One program a line; the count comes last, when the programs written are known.
        yield (
            "{\n"
            f' "generated_at": {dumps(timezone.now())},\n'
            f' "ignored": {dumps([str(problem) for problem in filterset.problems])},\n'
            ' "programs": ['
        )
        count = 0
        for batch in itertools.batched(records, self.chunk_size):
            yield "".join(
                ("\n  " if count + i == 0 else ",\n  ") + dumps(record)
                for i, record in enumerate(batch)
            )
            count += len(batch)
        yield ("\n ]" if count else "]") + f',\n "count": {count}\n}}'
