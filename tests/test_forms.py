"""
Every public POST form (tests/public_forms.py): a POST without a CSRF token is refused and
changes nothing; the same data sent with GET changes nothing; any text in any field (markup,
SQL, null bytes, right-to-left marks, emoji, very long strings) is stored as typed or refused
with a message, shown escaped, and never gives a 500. The search and filter forms get the
same text as parameters.
"""

import re

import pytest
from django.apps import apps
from django.core.cache import cache
from django.test import Client
from django.urls import resolve
from django.utils.html import escape

from tests.public_forms import CSRF_EXEMPT_ROUTES, FORMS_BY_ROUTE, MEMBER, PUBLIC_FORMS
from tests.public_urls import FormFields, concrete_urls, public_routes, route_url, seed_values

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "script": "<script>alert('x')</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
    "sql": "'; DROP TABLE programs_program; --",
    "null byte": "null\x00byte",
    "right-to-left": "\u202eevil\u202c right-to-left",
    "emoji": "Cirugía 🏥 para niños 👩🏽‍⚕️",
    "very long": "x" * 20_000,
}
RAW_MARKUP = ["<script>alert", "<img src=x"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def signed_in_member(client, django_user_model):
    member = django_user_model.objects.create_user(MEMBER, "member@example.org", "pw")
    client.force_login(member)


def visitor(form, django_user_model, **kwargs):
    """A client for the form: a member's for a members' form."""
    client = Client(**kwargs)
    if form.member:
        signed_in_member(client, django_user_model)
    return client


# --- Every POST form is in the list ----------------------------------------------------------


def test_every_post_form_of_the_site_is_listed(client, django_user_model, missions_seeded):
    """Crawl the public pages (as a visitor and as a member) for POST forms: each posts to a
    form of tests/public_forms.py, so the tests below cover it."""
    found = set()
    urls = [url for _route, url in concrete_urls(public_routes(), seed_values())]
    for signed_in in (False, True):
        if signed_in:
            signed_in_member(client, django_user_model)
        for url in [*urls, "/accounts/submissions/"]:
            response = client.get(url)
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                found |= FormFields.of(response.content.decode(), url).post_actions
    routes = {resolve(action.split("?")[0].split("#")[0]).view_name for action in found}
    unlisted = routes - set(FORMS_BY_ROUTE) - CSRF_EXEMPT_ROUTES
    assert unlisted == set(), "add these forms to tests/public_forms.py"
    assert {"submissions:submit", "submissions:suggest", "login", "logout"} <= routes


# --- CSRF and GET ----------------------------------------------------------------------------


@pytest.mark.parametrize("form", PUBLIC_FORMS, ids=str)
def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(form, django_user_model):
    client = visitor(form, django_user_model, enforce_csrf_checks=True)
    client.get(form.url)  # the visitor has the CSRF cookie, but the form lacks the token
    before = row_counts()
    response = client.post(form.url, form.valid_data())
    assert response.status_code == 403
    assert row_counts() == before


@pytest.mark.parametrize("form", PUBLIC_FORMS, ids=str)
def test_the_same_post_with_its_csrf_token_is_accepted(form, django_user_model):
    # The refusal above is the CSRF check's, not the form's.
    client = visitor(form, django_user_model, enforce_csrf_checks=True)
    # The sign-out button is on every page for members; the submission form has a token too.
    page = client.get(form.url if form.route != "logout" else "/submit/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    before = row_counts()
    response = client.post(form.url, {**form.valid_data(), "csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302), response.content.decode()[:1000]
    if form.creates:
        assert response.status_code == 302
        label = form.model()._meta.label
        assert row_counts()[label] == before[label] + 1


@pytest.mark.parametrize("form", PUBLIC_FORMS, ids=str)
def test_form_data_sent_with_get_changes_nothing(form, django_user_model):
    django_user_model.objects.create_user("nobody", "nobody@example.org", "not-the-password")
    client = visitor(form, django_user_model)
    signed_in = client.session.get("_auth_user_id")
    password = django_user_model.objects.filter(username=MEMBER).values_list("password")
    before = row_counts(), list(password)
    response = client.get(form.url, form.valid_data())
    assert response.status_code in (200, 302, 405)
    assert (row_counts(), list(password)) == before
    # A GET with the right password signs no one in; a GET to sign out signs no one out.
    assert client.session.get("_auth_user_id") == signed_in


# --- Injection -------------------------------------------------------------------------------


def newest_texts(form):
    """Every text stored by the form's last successful POST, with the rows it came with."""
    from submissions.models import ChangeRequest, Submission

    if form.creates == "submissions.Submission":
        submission = Submission.objects.order_by("-pk").first()
        program = submission.program
        rows = [submission, program, program.organization]
        rows += [*program.places.all(), *program.contacts.all()]
        rows += list(program.staffing_requirements.all())
    else:
        change = ChangeRequest.objects.order_by("-pk").first()
        rows = [change]
        texts = [str(value) for value in change.proposed.values()]
        return [*texts, change.message, change.reporter_name]
    return [str(getattr(row, f.attname)) for row in rows for f in row._meta.concrete_fields]


def shown_again(field, payload):
    """Whether a refused form shows the value again: not passwords; not a value refused for
    its null byte or its length, which the form's message is about."""
    return "password" not in field and "\x00" not in payload and len(payload) < 1000


@pytest.mark.parametrize("payload", PAYLOADS, ids=str)
@pytest.mark.parametrize("form", [f for f in PUBLIC_FORMS if f.text_fields], ids=str)
def test_any_text_in_any_field_is_stored_as_typed_or_refused_never_a_500(
    form, payload, django_user_model
):
    """Every text field of the form at once gets the same text: each is then stored as typed
    (surrounding spaces trimmed), or the form comes back with what was typed, escaped."""
    client = visitor(form, django_user_model)
    value = PAYLOADS[payload]
    before = form.model()._default_manager.count() if form.creates else 0
    response = client.post(
        form.url, {**form.valid_data(), **dict.fromkeys(form.text_fields, value)}
    )
    assert response.status_code in (200, 302, 400), response.status_code
    text = response.content.decode()
    for markup in RAW_MARKUP:
        assert markup not in text
    if response.status_code == 302 and form.creates:
        assert form.model()._default_manager.count() == before + 1
        stored = newest_texts(form)
        assert stored.count(value.strip()) >= len(form.text_fields), "altered on the way in"
    elif response.status_code != 302:
        for field in form.text_fields:
            if shown_again(field, value):
                assert text.count(escape(value)) >= 1, (field, "the form lost what was typed")
    if form.creates and payload in ("script", "attribute", "sql", "right-to-left", "emoji"):
        assert response.status_code == 302, "a text that fits every field is accepted"


def search_and_filter_pages():
    """The pages that search and filter (routes without arguments that have a GET form;
    the country, specialty and organization pages are the same list, narrowed) and the
    parameters of their forms."""
    client = Client()
    pages = []
    for route in public_routes():
        url = route_url(route) if not route.arguments and not route.is_feed else None
        response = client.get(url) if url else None
        if response is None or response.status_code != 200:
            continue
        if response["Content-Type"].startswith("text/html"):
            names = FormFields.of(response.content.decode()).get_names
            if names:
                pages.append((url, sorted(names | {"q", "page", "sort"})))
    return pages


def test_any_text_in_any_search_or_filter_parameter_is_shown_escaped(client, missions_seeded):
    pages = search_and_filter_pages()
    assert {"/missions/", "/programs/", "/impact/"} <= {url for url, _names in pages}
    for url, names in pages:
        queries = [dict.fromkeys(names, payload) for payload in PAYLOADS.values()]
        queries += [{name: PAYLOADS["script"]} for name in names]
        for query in queries:
            response = client.get(url, query)
            assert response.status_code in (200, 400), (url, query)
            text = response.content.decode()
            for markup in RAW_MARKUP:
                assert markup not in text, (url, query)


def test_an_inflated_row_count_is_refused_without_building_the_rows(client):
    # Found by the fuzzing: TOTAL_FORMS=1020 used to build and render a thousand rows of
    # every formset (48 s and 14 MB for one request).
    from tests.factories import submission_post

    inflated = dict.fromkeys(["places", "staffing", "contacts"], "1020")
    data = submission_post(**{f"{prefix}-TOTAL_FORMS": n for prefix, n in inflated.items()})
    response = client.post("/submit/", data)
    assert response.status_code == 400
    assert response.content.decode().count('name="places-') < 30 * 3
    assert len(response.content) < 1_000_000
