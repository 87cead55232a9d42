"""Headers on every response, the health check, and sign-in throttling."""

import re

import pytest
from django.core.cache import cache

from tests.public_urls import body, concrete_urls, public_routes, seed_values

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def assert_security_headers(response, url):
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp, url
    assert "script-src 'self'" in csp, url
    assert "style-src 'self'" in csp, url
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
    assert "frame-ancestors 'none'" in csp, url
    assert response["X-Content-Type-Options"] == "nosniff", url
    assert response["Referrer-Policy"] == "same-origin", url
    assert response["X-Frame-Options"] == "DENY", url
    assert "camera=()" in response["Permissions-Policy"], url
    assert "geolocation=()" in response["Permissions-Policy"], url


def every_public_url():
    """Every public URL pattern with real arguments, and a few that do not exist."""
    urls = [url for _route, url in concrete_urls(public_routes(), seed_values())]
    return [*urls, "/nope/", "/programs/no-such-program/", "/admin/", "/admin/login/"]


def test_every_public_url_is_found():
    # The walk of the URL resolver reaches the pages the README lists.
    urls = every_public_url()
    for expected in ["/", "/programs/", "/missions/", "/impact/", "/submit/", "/accounts/login/"]:
        assert expected in urls
    assert any(url.endswith(".ics") for url in urls)
    assert any(url.endswith("/suggest/") for url in urls)


def test_security_headers_on_every_response(client):
    for url in every_public_url():
        assert_security_headers(client.get(url), url)


def test_security_headers_on_form_errors_and_member_pages(client, django_user_model):
    assert_security_headers(client.post("/submit/", {}), "/submit/ POST")
    assert_security_headers(client.post("/accounts/login/", {}), "/accounts/login/ POST")
    client.force_login(django_user_model.objects.create_user("member", "m@example.org", "pw"))
    assert_security_headers(client.get("/accounts/submissions/"), "/accounts/submissions/")


# Inline scripts, but not data blocks (JSON-LD), which are never run and need no nonce.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", re.I)
STYLE_ELEMENT = re.compile(r"<style\b[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle=", re.I)


def test_no_inline_script_or_style_without_a_nonce(client):
    for url in every_public_url():
        response = client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue
        text = response.content.decode()
        for tag in INLINE_SCRIPT.findall(text) + STYLE_ELEMENT.findall(text):
            assert "nonce=" in tag, (url, tag)
        assert not STYLE_ATTRIBUTE.search(text), (url, STYLE_ATTRIBUTE.search(text).group())


def test_pages_load_nothing_from_other_hosts(client):
    for url in every_public_url():
        text = body(client.get(url)).decode("utf-8-sig")
        for marker in ['src="http', "src='http", 'src="//', 'href="//', "@import", "url(http"]:
            assert marker not in text, (url, marker)


def test_health_check_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_check_takes_only_get(client):
    assert client.post("/healthz").status_code == 405


def test_admin_sign_in_is_throttled_after_repeated_failures(client, django_user_model, settings):
    django_user_model.objects.create_superuser("boss", "boss@example.org", "right-password-123")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        response = client.post("/admin/login/", {"username": "boss", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    response = client.post("/admin/login/", {"username": "boss", "password": "right-password-123"})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert response["Retry-After"] == str(settings.LOGIN_FAILURE_WINDOW)


def test_other_addresses_can_still_sign_in(client, django_user_model, settings):
    django_user_model.objects.create_superuser("boss", "boss@example.org", "right-password-123")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "boss", "password": "wrong"})
    response = client.post(
        "/admin/login/",
        {"username": "boss", "password": "right-password-123"},
        REMOTE_ADDR="192.0.2.77",
    )
    assert response.status_code == 302


def test_a_failing_error_page_falls_back_to_plain_html(client, settings):
    # The error page's own template breaks (as a missing static manifest would): the visitor
    # still gets a short page, not a cascade of errors.
    from django.test import RequestFactory

    from directory.views import server_error

    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [], "APP_DIRS": False, "OPTIONS": {}}]
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
