"""
Protection for the public forms (submissions, contact relay): a honeypot field that people
never see, and a per-address rate limit kept in Django's cache, so that it holds across
several app servers when they share the cache (Redis in production).

Neither drops anything silently: a form that trips them is answered with a page that says
what happened and how to reach a person instead.
"""

import hashlib
import time

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _


def client_address(request):
    """The visitor's IP address. Behind our own reverse proxy (DJANGO_BEHIND_PROXY) it is the
    address the proxy appended to X-Forwarded-For; anything before it is client-supplied
    and not trusted."""
    if settings.BEHIND_PROXY:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if forwarded:
            return forwarded[-min(settings.PROXY_COUNT, len(forwarded))]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class RateLimit:
    """At most `limit` hits per `period` seconds per address, in fixed windows.

    `cache.add` then `cache.incr` is atomic on Redis and on the local-memory cache, so
    concurrent requests cannot all slip under the limit.
    """

    def __init__(self, scope, limit, period):
        self.scope, self.limit, self.period = scope, limit, period

    def _key(self, request):
        window = int(time.time() // self.period)
        # Hashed so that no address is stored in the clear, and keys have a fixed length.
        address = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
        return f"ratelimit:{self.scope}:{address}:{window}"

    def hit(self, request):
        """Count one attempt; True while the address is within its limit."""
        key = self._key(request)
        cache.add(key, 0, timeout=self.period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=self.period + 1)
            count = 1
        return count <= self.limit

    def exceeded(self, request):
        """True when the address has used its attempts, without counting one more."""
        return (cache.get(self._key(request)) or 0) >= self.limit


class HoneypotMixin(forms.Form):
    """Adds a field that is hidden from people (and from screen readers) but that form-filling
    robots fill in. `is_spam` tells whether it was."""

    HONEYPOT_FIELD = "website_url"

    website_url = forms.CharField(
        required=False,
        max_length=200,
        label=_("Leave this field empty"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "tabindex": "-1", "class": "honeypot-input"}
        ),
    )

    @property
    def is_spam(self):
        return bool(self.data.get(self.add_prefix(self.HONEYPOT_FIELD), "").strip())
