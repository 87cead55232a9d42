"""Production mode: settings that fail safe, `check --deploy` clean, and gunicorn serving
pages and whitenoise's compressed, hashed static files with DEBUG off."""

import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.factories import submission_post
from tests.servers import fetch, manage, production_env, running_gunicorn


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_missing_secret_key_stops_production(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_SECRET_KEY"]
    result = manage(env, "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


@pytest.fixture(scope="module")
def production_site(tmp_path_factory):
    """A migrated SQLite database with the seed content and collected static files."""
    env = production_env(
        tmp_path_factory.mktemp("production"),
        DJANGO_HTTPS="0",
        # No mail server here; what the site sends is not what these tests look at.
        EMAIL_URL="dummymail://",
    )
    for args in (["migrate", "--noinput"], ["load_seed"], ["collectstatic", "--noinput"]):
        result = manage(env, *args)
        assert result.returncode == 0, result.stderr
    return env


@pytest.fixture(scope="module")
def gunicorn(production_site):
    """Production mode over plain http (DJANGO_HTTPS=0)."""
    with running_gunicorn(production_site) as base:
        yield base


@pytest.fixture(scope="module")
def https_gunicorn(production_site):
    """Production mode as deployed: HTTPS on, behind a reverse proxy that terminates TLS and
    says so in X-Forwarded-Proto."""
    env = {**production_site, "DJANGO_HTTPS": "1", "DJANGO_BEHIND_PROXY": "1"}
    with running_gunicorn(env) as base:
        yield base


def test_gunicorn_serves_pages_and_hashed_static_files(gunicorn):
    status, headers, body = fetch(gunicorn + "/programs/")
    assert status == 200
    assert b"19 programs" in body
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    css = body.split(b'rel="stylesheet" href="')[1].split(b'"')[0].decode()
    assert css.startswith("/static/css/site.") and css.count(".") == 2  # a hashed name
    status, headers, _body = fetch(gunicorn + css, **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]


def test_production_404_is_the_sites_own_page(gunicorn):
    status, _headers, body = fetch(gunicorn + "/programs/no-such-program/")
    assert status == 404
    assert b"Page not found" in body
    assert b"Traceback" not in body


def test_unknown_host_is_refused(gunicorn):
    status, _headers, _body = fetch(gunicorn + "/", Host="evil.example.com")
    assert status == 400


# --- HTTPS as deployed: HSTS and secure cookies -------------------------------------------

HTTPS_REQUEST = {"X-Forwarded-Proto": "https"}


def test_plain_http_is_redirected_to_https(https_gunicorn):
    request = urllib.request.Request(https_gunicorn + "/programs/")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(request, timeout=10)
        raise AssertionError("no redirect")
    except urllib.error.HTTPError as error:
        assert error.code == 301
        assert error.headers["Location"].startswith("https://127.0.0.1:")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.parametrize("path", ["/", "/programs/nuevo-amanecer/", "/submit/", "/nope/"])
def test_https_responses_carry_hsts_and_the_other_headers(https_gunicorn, path):
    status, headers, _body = fetch(https_gunicorn + path, **HTTPS_REQUEST)
    assert status in (200, 404)
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]


def cookies(headers):
    """{name: the whole Set-Cookie line} of a response."""
    return {line.split("=", 1)[0]: line for line in headers.get_all("Set-Cookie") or []}


def test_https_cookies_are_secure_and_a_submission_goes_through(https_gunicorn):
    status, headers, body = fetch(https_gunicorn + "/submit/", **HTTPS_REQUEST)
    assert status == 200
    csrf_cookie = cookies(headers)["csrftoken"]
    assert "; Secure" in csrf_cookie and "SameSite=Lax" in csrf_cookie
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    data = urllib.parse.urlencode(
        {**submission_post(), "csrfmiddlewaretoken": token}, doseq=True
    ).encode()
    request = urllib.request.Request(
        https_gunicorn + "/submit/",
        data=data,
        headers={
            **HTTPS_REQUEST,
            # Over HTTPS, Django checks that a form comes from the site's own pages.
            "Referer": https_gunicorn.replace("http://", "https://") + "/submit/",
            "Cookie": csrf_cookie.split(";", 1)[0],
        },
    )
    try:
        urllib.request.build_opener(NoRedirect).open(request, timeout=10)
        raise AssertionError("the submission was not accepted")
    except urllib.error.HTTPError as error:
        assert error.code == 302, error.read().decode()[:2000]
        assert error.headers["Location"] == "/submit/thanks/"
        session_cookie = cookies(error.headers)["sessionid"]
    assert "; Secure" in session_cookie and "; HttpOnly" in session_cookie
