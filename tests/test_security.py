"""Headers on every response, the health check, and sign-in throttling."""

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.mark.parametrize(
    "url", ["/", "/programs/", "/programs/nuevo-amanecer/", "/nope/", "/healthz", "/admin/login/"]
)
def test_security_headers_on_every_response(client, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_pages_load_nothing_from_other_hosts(client):
    text = client.get("/programs/nuevo-amanecer/").content.decode()
    for marker in ['src="http', "src='http", 'href="//', "@import", "url(http"]:
        assert marker not in text


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
