"""
Moderation boundaries, tried systematically: a pending, a rejected and an archived program,
each with its own marker word in every text a page could show (name, description, places,
contacts, staffing, missions, impact figures, its organization) and in countries no published
program has, plus a pending change request on a published program. Then every public URL
(found by walking the URL resolver, so feeds, exports and sitemaps added later are covered),
with every parameter of every form on it set to the markers and the hidden values:

- no marker appears in any response, for an anonymous visitor or a signed-in member;
- every response is the same as before the hidden content existed (so no count, total,
  facet or filter choice moves either);
- no admin page opens for them.
"""

import contextlib
import datetime
import re
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from missions.models import ImpactFigure
from programs.models import Program, Specialty
from submissions import services
from submissions.models import ChangeRequest, Submission
from tests.factories import OrganizationFactory, ProgramFactory, submission_post
from tests.mission_factories import ImpactFigureFactory, MissionFactory
from tests.public_urls import FormFields, concrete_urls, public_routes, seed_values
from tests.public_urls import body as response_body

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("missions_seeded")]

# One marker word per hidden state, and for each a country where no published program is.
# The markers are also typed into searches and filters, where a page may rightly echo them;
# SECRET is in the hidden texts beside them and in no request, so it may appear nowhere.
HIDDEN = {
    "pending": ("Xylopendix", "TV"),
    "rejected": ("Xylorejix", "NR"),
    "archived": ("Xyloarchix", "KI"),
}
CHANGE_MARKER = "Xylochangix"
MARKERS = [marker for marker, _country in HIDDEN.values()] + [CHANGE_MARKER]
SECRET = "Quuxsecret"


def submit(marker, country):
    """A program sent through the public form, as a visitor would: pending."""
    client = Client()
    data = submission_post(
        organization_name=f"Organization {marker}",
        name=f"Program {marker}",
        description=f"Description {marker} {SECRET}",
        needs_text=f"Needs {marker} {SECRET}",
        frequency_text=f"Frequency {marker} {SECRET}",
        resources_required=f"Resources {marker} {SECRET}",
        min_commitment=f"Commitment {marker} {SECRET}",
        languages=f"Language {marker} {SECRET}",
        impact_text=f"Impact {marker} {SECRET}",
        other_specialties=f"Other {marker} {SECRET}",
        **{
            "places-0-country": country,
            "places-0-locality": f"City {marker} {SECRET}",
            "contacts-0-name": f"Contact {marker} {SECRET}",
            "contacts-0-role": f"Role {marker} {SECRET}",
        },
    )
    response = client.post("/submit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    cache.clear()
    return Submission.objects.get(program__name=f"Program {marker}")


def archived_program(marker, country):
    organization = OrganizationFactory(
        name=f"Organization {marker}", description=f"About {marker} {SECRET}"
    )
    return ProgramFactory(
        archived=True,
        organization=organization,
        name=f"Program {marker}",
        description=f"Description {marker} {SECRET}",
        needs_text=f"Needs {marker} {SECRET}",
        places=[(country, f"City {marker} {SECRET}")],
        specialties=[Specialty.objects.order_by("slug").first()],
        staffing=[{"role": "nurse", "wording": f"Nurses {marker} {SECRET}"}],
        contacts=[f"Contact {marker} {SECRET}"],
    )


def add_missions_and_figures(program, marker, country):
    mission = MissionFactory(
        program=program,
        title=f"Mission {marker} {SECRET}",
        slug=f"mission-{marker.lower()}",
        country=country,
        city=f"Town {marker} {SECRET}",
        description=f"Mission description {marker} {SECRET}",
        start_on=datetime.date.today() + datetime.timedelta(days=40),
        end_on=datetime.date.today() + datetime.timedelta(days=50),
    )
    MissionFactory(
        program=program,
        title=f"Past mission {marker} {SECRET}",
        slug=f"past-mission-{marker.lower()}",
        country=country,
        completed=True,
        results=f"Results {marker} {SECRET}",
        start_on=datetime.date(2024, 5, 1),
        end_on=datetime.date(2024, 5, 9),
    )
    for scope, subject in [
        (ImpactFigure.Scope.PROGRAM, {"program": program}),
        (ImpactFigure.Scope.MISSION, {"mission": mission, "program": None}),
        (ImpactFigure.Scope.ORGANIZATION, {"organization": program.organization, "program": None}),
    ]:
        ImpactFigureFactory(
            scope=scope,
            value=7_654_321,
            country=country,
            source=f"Source {marker} {SECRET}",
            wording=f"Wording {marker} {SECRET}",
            **subject,
        )


def hidden_content(admin_user):
    pending_marker, pending_country = HIDDEN["pending"]
    pending = submit(pending_marker, pending_country).program
    rejected_marker, rejected_country = HIDDEN["rejected"]
    rejected_submission = submit(rejected_marker, rejected_country)
    services.reject_submission(rejected_submission, by=admin_user, reason="Not a program")
    rejected = Program.objects.get(pk=rejected_submission.program_id)
    archived = archived_program(*HIDDEN["archived"])
    programs = {"pending": pending, "rejected": rejected, "archived": archived}
    assert [p.status for p in programs.values()] == ["pending", "rejected", "archived"]
    for state, program in programs.items():
        add_missions_and_figures(program, *HIDDEN[state])
    Program.objects.filter(pk__in=[p.pk for p in programs.values()]).refresh_search()
    listed = Program.objects.published().get(slug="nuevo-amanecer")
    ChangeRequest.objects.create(
        reference="U-HIDDEN01",
        program=listed,
        kind=ChangeRequest.Kind.OUTDATED,
        message=f"Message {CHANGE_MARKER} {SECRET}",
        proposed={"name": f"Name {CHANGE_MARKER}", "description": SECRET},
        reporter_name=f"Reporter {CHANGE_MARKER} {SECRET}",
    )
    return programs


# --- What to fetch ---------------------------------------------------------------------------


def hidden_values():
    """Arguments and parameter values that name the hidden content: its slugs (the public
    form and the factories make them from the names above) and its countries."""
    slugs = []
    for marker in [marker.lower() for marker, _country in HIDDEN.values()]:
        slugs += [f"program-{marker}", f"organization-{marker}"]
        slugs += [f"mission-{marker}", f"past-mission-{marker}"]
    codes = [country for _marker, country in HIDDEN.values()]
    return slugs, codes


def url_arguments():
    slugs, codes = hidden_values()
    values = seed_values()
    values["slug"] = values["slug"] + slugs
    values["code"] = values["code"] + [code.lower() for code in codes] + codes
    values["*"] = values["*"] + slugs + [code.lower() for code in codes]
    return values


# Parameters of the pages that may not be in a form on the page (links, sorting, paging).
KNOWN_PARAMETERS = {"q", "page", "sort", "when", "from", "to", "metric"}


def query_variants(url, names):
    """The parameters set to the markers and to the hidden values: each parameter with all
    of them (a multiple choice takes them all, a single one the last), then every parameter
    at once with each marker."""
    slugs, codes = hidden_values()
    hidden = [*MARKERS, *codes, *(code.lower() for code in codes), *slugs]
    variants = [f"{url}?{urlencode([(name, value) for value in hidden])}" for name in names]
    for marker in MARKERS:
        variants.append(f"{url}?{urlencode(dict.fromkeys(names, marker))}")
    return variants


def every_response(client, variants=True):
    """{url: (status, normalized body)} for every public URL (with the hidden content's
    arguments too) and the parameter variants of the pages that search and filter: those of
    routes without arguments (the country, specialty and organization pages are the same
    list, narrowed)."""
    cache.clear()  # nothing cached from an earlier pass may answer for this one
    bodies = {}
    for route, url in concrete_urls(public_routes(), url_arguments(), limit_per_route=40):
        response = client.get(url)
        bodies[url] = normalized(response)
        if not variants or route.arguments or response.status_code != 200:
            continue
        names = FormFields.of(response.content.decode()).get_names if is_html(response) else ()
        if names:
            for variant in query_variants(url, sorted(names | KNOWN_PARAMETERS)):
                bodies[variant] = normalized(client.get(variant))
    return bodies


def is_html(response):
    return response["Content-Type"].startswith("text/html")


VOLATILE = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'),
    re.compile(r'nonce="[^"]*"'),
    re.compile(r"^DTSTAMP:.*$", re.M),  # the calendars' time of generation
    re.compile(r'"generated_at": "[^"]*"'),  # the JSON export's
]


def normalized(response):
    text = response_body(response).decode(errors="replace")
    for pattern in VOLATILE:
        text = pattern.sub("", text)
    if "<feed" in text and "<entry>" not in text:
        # An empty feed is "updated" at the time it is generated.
        text = re.sub(r"<updated>[^<]*</updated>", "", text)
    return response.status_code, text


def assert_no_marker(bodies):
    """No secret anywhere; no marker in a response to a request that did not contain it (a
    search for a marker may say what was searched for)."""
    for url, (status, body) in bodies.items():
        assert status < 500, (url, status)
        lowered = body.lower()
        assert SECRET.lower() not in lowered, url
        for marker in MARKERS:
            if marker.lower() not in url.lower():
                assert marker.lower() not in lowered, (url, marker)


def first_difference(a, b):
    at = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    return a[max(0, at - 200) : at + 200], b[max(0, at - 200) : at + 200]


# --- The tests -------------------------------------------------------------------------------


def test_hidden_content_never_appears_and_moves_no_count(admin_user):
    before = every_response(Client())
    programs = hidden_content(admin_user)
    slugs, _codes = hidden_values()
    # The URLs above named the hidden content's real slugs.
    assert Program.objects.filter(slug__in=slugs).count() == 3
    after = every_response(Client())
    assert_no_marker(after)
    assert after.keys() == before.keys()
    for url, (status, body) in after.items():
        assert status == before[url][0], url
        assert body == before[url][1], (url, *first_difference(before[url][1], body))
    assert len(after) > 120
    assert all(p.status != Program.Status.PUBLISHED for p in programs.values())


def test_signed_in_members_see_no_hidden_content_either(admin_user, django_user_model):
    hidden_content(admin_user)
    member = django_user_model.objects.create_user("member", "member@example.org", "pw")
    client = Client()
    client.force_login(member)
    bodies = every_response(client, variants=False)
    bodies["/accounts/submissions/"] = normalized(client.get("/accounts/submissions/"))
    assert_no_marker(bodies)


def admin_urls():
    """Every admin URL pattern, with an object id where it takes one: the admin index, each
    model's list, add, change, history and delete pages, and the moderation actions."""
    urls = set()

    def walk(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and entry.name:
                arguments = re.findall(r"<(?:\w+:)?(\w+)>", prefix + str(entry.pattern))
                kwargs = dict.fromkeys(arguments, "1")
                with contextlib.suppress(NoReverseMatch):
                    urls.add(reverse(f"admin:{entry.name}", kwargs=kwargs))

    admin_resolver = next(
        entry
        for entry in get_resolver().url_patterns
        if isinstance(entry, URLResolver) and entry.namespace == "admin"
    )
    walk(admin_resolver.url_patterns, "")
    return sorted(urls)


def test_no_admin_page_opens_for_visitors_or_members(admin_user, django_user_model):
    hidden_content(admin_user)
    submission = Submission.objects.get(program__name__endswith=HIDDEN["pending"][0])
    member = django_user_model.objects.create_user("member", "member@example.org", "pw")
    urls = [url.replace("/1/", f"/{submission.pk}/") for url in admin_urls()]
    assert len(urls) > 40
    for user in [None, member]:
        client = Client()
        if user:
            client.force_login(user)
        for url in urls:
            if url.rstrip("/").endswith(("login", "logout")):
                continue
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code == 302, (url, response.status_code)
                assert response["Location"].startswith("/admin/login/"), url
                assert SECRET.lower() not in response.content.decode().lower()
    submission.refresh_from_db()
    assert submission.is_pending
