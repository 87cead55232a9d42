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
import io
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View

from .filters import ProgramFilter
from .models import Program

# Several values in one CSV cell.
SEPARATOR = "; "
# What makes a spreadsheet read a cell as a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """`value` as text that no spreadsheet program takes for a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _yes_no(value):
    return {True: "yes", False: "no", None: ""}[value]


def program_record(program, absolute):
    """One program as the JSON export shows it. `absolute` turns a path into a full URL.
    Expects the prefetches of `ProgramQuerySet.for_export()`."""
    organization = program.organization
    return {
        "name": program.name,
        "slug": program.slug,
        "url": absolute(program.get_absolute_url()),
        "contact_url": absolute(reverse("programs:contact", kwargs={"slug": program.slug})),
        "organization": {
            "name": organization.name,
            "slug": organization.slug,
            "url": absolute(organization.get_absolute_url()),
            "website": organization.website,
        },
        "website": program.website,
        "description": program.description,
        "needs_text": program.needs_text,
        "location_text": program.location_text,
        "places": [
            {
                "country": place.country.code,
                "country_name": str(place.country.name),
                "locality": place.locality,
            }
            for place in program.places.all()
        ],
        "specialties": [
            {"slug": s.slug, "name": s.name, "url": absolute(s.get_absolute_url())}
            for s in program.specialties.all()
        ],
        "staffing": [
            {
                "role": requirement.role,
                "role_name": str(requirement.get_role_display()),
                "min_count": requirement.min_count,
                "max_count": requirement.max_count,
                "period": requirement.period,
                "accepts_trainees": requirement.accepts_trainees,
                "wording": requirement.wording,
            }
            for requirement in program.staffing_requirements.all()
        ],
        "accepts_trainees": program.accepts_trainees,
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
    """The filtered, published directory in one response, in a fixed number of queries
    whatever its size (the directory holds hundreds of programs, not millions)."""

    http_method_names = ["get", "head", "options"]
    filename = None
    disposition = "attachment"

    def get(self, request):
        filterset = ProgramFilter(request.GET, queryset=Program.objects.published().for_export())
        records = [program_record(p, request.build_absolute_uri) for p in filterset.qs]
        response = self.render(records, filterset)
        response["Content-Disposition"] = f'{self.disposition}; filename="{self.filename}"'
        if filterset.errors:
            # Names of the filter's own fields only: nothing the visitor typed.
            response["X-Ignored-Parameters"] = ", ".join(sorted(filterset.errors))
        return response


class ProgramCSVView(ProgramExportView):
    filename = "programs.csv"

    def render(self, records, filterset):
        buffer = io.StringIO()
        # A byte-order mark, so that spreadsheet programs read the file as UTF-8.
        buffer.write("\ufeff")
        writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow([header for header, _value in CSV_COLUMNS])
        for record in records:
            writer.writerow([spreadsheet_safe(value(record)) for _header, value in CSV_COLUMNS])
        return HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")


class ProgramJSONView(ProgramExportView):
    filename = "programs.json"
    disposition = "inline"

    def render(self, records, filterset):
        document = {
            "generated_at": timezone.now(),
            "count": len(records),
            "ignored": [str(problem) for problem in filterset.problems],
            "programs": records,
        }
        response = HttpResponse(
            json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
        # Public data, read without credentials: any site may fetch it.
        response["Access-Control-Allow-Origin"] = "*"
        return response
