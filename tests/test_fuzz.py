"""
Property-based tests (hypothesis): random, malformed, oversized and wrong-type values in every
public page's query parameters, in paths, and in every public form's fields never give a 5xx;
always a page, a redirect or a clear 4xx. Each URL family runs FUZZ_EXAMPLES cases
(a quarter of that per form; DIRECTORY_FUZZ_EXAMPLES=1000 for a deeper run); the total is printed
at the end of the run.
"""

import collections
import os
from urllib.parse import quote, urlencode

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.public_forms import PUBLIC_FORMS
from tests.public_urls import concrete_urls, public_routes, seed_values

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("missions_seeded")]

FUZZ_EXAMPLES = int(os.environ.get("DIRECTORY_FUZZ_EXAMPLES", "100"))
# How many cases ran, by family: conftest prints it after the run.
CASES = collections.Counter()

FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    # The test client and the database are the same for every example, on purpose.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# The parameters the pages read, and some they do not.
PARAMETERS = [
    "q",
    "country",
    "region",
    "specialty",
    "role",
    "frequency",
    "trainees",
    "sort",
    "page",
    "when",
    "from",
    "to",
    "metric",
    "format",
    "next",
]
ODD_VALUES = [
    "",
    " ",
    "0",
    "-1",
    "1e309",
    "99999999999999999999999",
    "NaN",
    "null",
    "true",
    "[]",
    "{}",
    "%",
    "%00",
    "\x00",
    "2027-13",
    "2027-02-30",
    "0000-00",
    "9999-12-31",
    "PE",
    "pe",
    "latin-america",
    "cleft-lip-and-palate",
    "yes",
    "verified",
    "past",
    "\u202e",
    "🏥",
    "<script>",
    "' OR 1=1 --",
    "x" * 5000,
]
values = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.text(max_size=200),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.binary(max_size=50).map(lambda b: b.decode("latin-1")),
)
queries = st.lists(
    st.tuples(st.one_of(st.sampled_from(PARAMETERS), st.text(min_size=1, max_size=20)), values),
    max_size=8,
)

ACCEPTABLE = {200, 301, 302, 400, 404, 405}


def html_pages_without_arguments():
    return sorted(
        {
            url
            for route, url in concrete_urls(public_routes(), {})
            if not route.arguments and url not in ("/accounts/logout/",)
        }
    )


def pages_with_arguments():
    return sorted(
        {url for route, url in concrete_urls(public_routes(), seed_values()) if route.arguments}
    )


def get(client, url, query):
    response = client.get(f"{url}?{urlencode(query)}")
    assert response.status_code in ACCEPTABLE, (url, query, response.status_code)
    return response


@pytest.mark.parametrize("family", ["list pages", "other pages"])
def test_random_query_parameters_never_give_a_server_error(family):
    client = Client()
    urls = html_pages_without_arguments() if family == "list pages" else pages_with_arguments()
    assert urls

    @FUZZ
    @given(url=st.sampled_from(urls), query=queries)
    def check(url, query):
        CASES[f"query parameters, {family}"] += 1
        get(client, url, query)

    check()


# Long and odd addresses make long and odd keys, which Django warns memcached would refuse;
# the page cache is Redis or local memory, which take them.
@pytest.mark.filterwarnings("ignore::django.core.cache.backends.base.CacheKeyWarning")
def test_a_random_query_reordered_and_tracked_is_the_same_stored_page(settings):
    """With the page cache on, a query's parameters in another order, with a click id and a
    campaign added, are served the page stored for the query: never another page, never an
    error."""
    settings.PAGE_CACHE = True
    cache.clear()
    client = Client()

    @FUZZ
    @given(
        url=st.sampled_from(["/programs/", "/missions/", "/impact/", "/countries/pe/"]),
        query=queries,
        click=st.text(max_size=30),
    )
    def check(url, query, click):
        CASES["query parameters, page cache"] += 1
        first = get(client, url, query)
        if first.status_code != 200 or get(client, url, query)["X-Page-Cache"] != "hit":
            return  # not stored (a redirect, a form)
        # Names in reverse order, each name's values in their own order.
        names = list(dict.fromkeys(name for name, _value in query))[::-1]
        reordered = [(n, v) for n in names for name, v in query if name == n]
        tracked = get(client, url, [("utm_source", "newsletter"), *reordered, ("fbclid", click)])
        assert tracked["X-Page-Cache"] == "hit", (url, query)
        assert tracked.content == first.content

    check()


segments = st.one_of(
    st.sampled_from(["zz", "PE", "pe", "%00", "..", ".", "x" * 3000, "🏥", "%ff", "a.ics"]),
    st.text(min_size=1, max_size=100),
)


def test_random_paths_never_give_a_server_error():
    client = Client()
    prefixes = sorted(
        {
            url.rstrip("/").rsplit("/", 1)[0] + "/"
            for _r, url in concrete_urls(public_routes(), seed_values())
        }
    )

    @FUZZ
    @given(prefix=st.sampled_from(prefixes), segment=segments, slash=st.booleans())
    def check(prefix, segment, slash):
        CASES["paths"] += 1
        path = prefix + quote(segment, safe="") + ("/" if slash else "")
        response = client.get(path)
        assert response.status_code in ACCEPTABLE, (path, response.status_code)

    check()


@pytest.mark.parametrize("form", PUBLIC_FORMS, ids=str)
def test_random_form_fields_never_give_a_server_error(form, django_user_model):
    client = Client()
    if form.member:
        client.force_login(django_user_model.objects.create_user("member", "m@example.org", "pw"))
    valid = form.valid_data()
    names = sorted(set(valid) | {"csrfmiddlewaretoken", "website_url"})

    # A form re-rendered with its errors costs more than a page: fewer cases per form.
    @settings(FUZZ, max_examples=max(10, FUZZ_EXAMPLES // 4))
    @given(
        changes=st.dictionaries(
            st.sampled_from(names),
            st.one_of(values, st.lists(values, max_size=3)),
            max_size=len(names),
        ),
        drop=st.sets(st.sampled_from(names), max_size=3),
    )
    def check(changes, drop):
        CASES[f"form fields, {form}"] += 1
        cache.clear()  # rate limits and the sign-in throttle would answer instead of the form
        data = {**valid, **changes}
        for name in drop:
            data.pop(name, None)
        response = client.post(form.url, data)
        assert response.status_code in ACCEPTABLE, (data, response.status_code)
        if form.member and not client.session.get("_auth_user_id"):
            client.force_login(django_user_model.objects.get(username="member"))

    check()
