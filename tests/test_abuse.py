"""The shared protections of public forms: the rate limit and the client address."""

import pytest
from django.test import RequestFactory

from directory.abuse import HoneypotMixin, RateLimit, client_address


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


def request_from(address, forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/", **extra)


def test_rate_limit_allows_the_limit_then_refuses():
    limit = RateLimit("test", limit=3, period=60)
    request = request_from("192.0.2.1")
    assert [limit.hit(request) for _ in range(5)] == [True, True, True, False, False]
    assert limit.exceeded(request)


def test_rate_limit_is_per_address():
    limit = RateLimit("test", limit=1, period=60)
    assert limit.hit(request_from("192.0.2.1"))
    assert not limit.hit(request_from("192.0.2.1"))
    assert limit.hit(request_from("192.0.2.2"))


def test_rate_limit_scopes_are_separate():
    assert RateLimit("a", limit=1, period=60).hit(request_from("192.0.2.1"))
    assert RateLimit("b", limit=1, period=60).hit(request_from("192.0.2.1"))


def test_forwarded_for_is_ignored_unless_behind_our_proxy(settings):
    request = request_from("10.0.0.5", forwarded="203.0.113.9")
    settings.BEHIND_PROXY = False
    assert client_address(request) == "10.0.0.5"
    settings.BEHIND_PROXY = True
    assert client_address(request) == "203.0.113.9"


def test_a_client_cannot_spoof_its_address_through_the_proxy(settings):
    settings.BEHIND_PROXY, settings.PROXY_COUNT = True, 1
    # The client sent "1.2.3.4"; our proxy appended the real address.
    request = request_from("10.0.0.5", forwarded="1.2.3.4, 203.0.113.9")
    assert client_address(request) == "203.0.113.9"


class ExampleForm(HoneypotMixin):
    pass


def test_honeypot_flags_filled_forms_only():
    assert not ExampleForm(data={"website_url": ""}).is_spam
    assert ExampleForm(data={"website_url": "http://spam.example"}).is_spam
