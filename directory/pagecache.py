"""
Rendered public pages, cached for anonymous visitors, and never stale.

Every cached page is stored with the *content version* it was rendered at. Any write to the
directory's content (a program, its places, a specialty, a mission...) bumps the version, so
the next request renders afresh: a newly published or edited program shows at once, on every
app server that shares the cache (Redis). Checking costs one cache round trip: the page and
the current version are fetched together.

What is never served from or stored in the cache:
- anything but GET/HEAD;
- requests with a session or messages cookie (signed-in staff and members, a visitor with a
  "thank you" message waiting);
- responses that are not 200, that set a cookie, or whose template used a CSRF token (a form
  to post: the token belongs to one visitor) or that are marked `never_cache`.

The version is bumped by a receiver on every model save and delete of the content apps. That
is the one signal in the project, and on purpose: invalidation must follow every write,
whoever makes it (the admin, a service, the shell); bulk writes that send no signal
(`bulk_create`, `update()`, loaddata's raw saves) call `content_changed()` themselves. Writes
to what is on no public page (a pending or rejected program and its rows: every submission
that arrives) leave the cache alone, so that a stream of submissions does not empty it.

Enabled by DIRECTORY_PAGE_CACHE (default: on when REDIS_URL is set, since a per-process
cache could not tell the other app servers of a change).
"""

import functools
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils import translation

VERSION_KEY = "directory:content-version"
# Bumped when the stored format changes, so entries from an earlier release are not read.
PAGE_PREFIX = "directory:page:3:"
CONTENT_APPS = {"programs", "missions"}


def _new_version():
    # A number never used before, even when the cache has lost the version (a restart, an
    # eviction): pages stored under an earlier number must not come back to life. Bumps add
    # one, far fewer than the nanoseconds between two resets.
    return time.time_ns()


def content_changed(**kwargs):
    """Make every cached page stale. Safe to call often; callers need not know about pages."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet, or evicted
        cache.set(VERSION_KEY, _new_version(), timeout=None)


def _version(found):
    """The content version in a get_many() result; set when the cache has none."""
    version = found.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _new_version(), timeout=None)
        # Unreadable (a failing cache): a fresh number, which no stored entry matches.
        version = cache.get(VERSION_KEY) or _new_version()
    return version


def versioned(name, compute, timeout=3600):
    """`compute()`, cached until the content changes (for data shared by many pages)."""
    key = f"directory:data:{name}"
    found = cache.get_many([key, VERSION_KEY])
    version = _version(found)
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return entry[1]
    value = compute()
    cache.set(key, (version, value), timeout)
    return value


def _hidden(instance, created=False):
    """True when the write cannot have changed a public page. When unsure, False. A pending
    or rejected program is on no public page, and neither is anything of it: writing them (a
    submission arriving, a rejection) leaves every cached page as it was."""
    from programs.models import Organization, Program

    hidden_statuses = {Program.Status.PENDING, Program.Status.REJECTED}
    if isinstance(instance, Program):
        return instance.status in hidden_statuses
    if isinstance(instance, Organization):
        return created  # a new organization has no published program yet
    if getattr(instance, "program_id", None) is None:
        return False
    try:
        return instance.program.status in hidden_statuses
    except Program.DoesNotExist:  # deleted with its program
        return False


def on_model_change(sender, instance=None, created=False, raw=False, **kwargs):
    if sender._meta.app_label not in CONTENT_APPS or raw:
        return
    if instance is not None and _hidden(instance, created):
        return
    content_changed()


def on_m2m_change(sender, instance, action, model, reverse=False, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    # program.specialties.add(...): `instance` is the program.
    if not reverse and _hidden(instance):
        return
    if instance._meta.app_label in CONTENT_APPS or model._meta.app_label in CONTENT_APPS:
        content_changed()


def _cacheable_request(request):
    if not settings.PAGE_CACHE or request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    return not (settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies)


def _cacheable_response(request, response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "no-store" not in response.get("Cache-Control", "")
        and "private" not in response.get("Cache-Control", "")
    )


@functools.lru_cache(maxsize=4096)
def _cached_view(path):
    """The view class the URL leads to when it stores its pages, else None. Resolving costs
    less than a round trip to the cache, which other pages (forms, the admin) need not make;
    the URLs do not change while the process runs, so the answer is kept per path."""
    try:
        view_class = getattr(resolve(path).func, "view_class", None)
    except Resolver404:
        return None
    if view_class and issubclass(view_class, CachedPageMixin) and view_class.page_cache:
        return view_class
    return None


def canonical_query(request, names):
    """Rewrite the request's query string to its canonical form: only the parameters the
    page reads (`names`), in the order of their names (the values of a name in their own
    order), encoded one way.

    Links get parameters no page reads: newsletters and social networks add `utm_source`,
    `fbclid` (a new one on every click)... and anybody can add `?x=1`. Kept in the key, each
    would render the page again and store one more copy of it. `?specialty=cleft&country=GT`,
    `?country=GT&specialty=cleft&fbclid=IwAR0a` and `?country=GT&specialty=cl%65ft` are one
    stored page. The view sees the rewritten request too, so the page stored under the
    canonical address is the page rendered for it: its links carry no visitor's click id."""
    if not request.META.get("QUERY_STRING"):
        return  # most requests: nothing to rewrite, no QueryDict to build
    query = request.GET
    canonical = QueryDict(mutable=True)
    for name in sorted(name for name in query if name in names):
        canonical.setlist(name, query.getlist(name))
    encoded = canonical.urlencode()
    if encoded != request.META["QUERY_STRING"]:
        request.META["QUERY_STRING"] = encoded
        request.GET = QueryDict(encoded)  # read-only, as Django gives it


# Set on every answer from a cacheable view, and never stored with the page.
STATUS_HEADER = "X-Page-Cache"


class RecentPages:
    """The pages this process stored or served last, as the shared cache has them (version,
    content, headers, expiry), up to `max_bytes` of content. With a copy here, a hit asks the
    shared cache for the version only (a few bytes) instead of the whole page; the copy is
    served only when its version is the current one, so it is never staler than the shared
    cache."""

    def __init__(self, max_bytes=16 * 2**20):
        self.max_bytes = max_bytes
        self._pages = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._pages.get(key)
            if entry is None:
                return None
            if entry[3] < time.time():
                # Pages also depend on the date ("upcoming" missions): a copy lives no longer
                # than the page in the shared cache.
                self._drop(key)
                return None
            self._pages.move_to_end(key)
            return entry

    def put(self, key, entry):
        size = len(entry[1])
        if size > self.max_bytes // 8:
            return
        with self._lock:
            self._drop(key)
            self._pages[key] = entry
            self._bytes += size
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._pages)))

    def _drop(self, key):
        entry = self._pages.pop(key, None)
        if entry is not None:
            self._bytes -= len(entry[1])


RECENT_PAGES = RecentPages()


class PageCacheMiddleware:
    """Serves stored pages before the rest of the stack runs, and stores the pages of views
    that ask for it (CachedPageMixin).

    It sits just inside SecurityMiddleware and WhiteNoise: a hit skips sessions, CSRF,
    authentication and messages, which a visitor without a session or messages cookie does
    not need, and gets the security headers from the middleware outside it on the way out.
    The headers added by the middleware inside it (CSP, frame options, Vary...) are stored
    with the page and replayed, so a hit carries exactly what the rendered page carried."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view_class = _cacheable_request(request) and _cached_view(request.path_info)
        if not view_class:
            return self.get_response(request)
        canonical_query(request, view_class.query_parameters)
        # The language LocaleMiddleware will choose (cookie, then Accept-Language).
        language = translation.get_language_from_request(request)
        key = f"{PAGE_PREFIX}{language}:{request.get_full_path()}"
        version, entry = self.stored(key)
        if entry is not None:
            response = HttpResponse(entry[1], headers=entry[2])
            response[STATUS_HEADER] = "hit"
            return response

        response = self.get_response(request)
        timeout = getattr(request, "page_cache_timeout", None)
        if timeout is None:
            return response  # not a cacheable view
        response[STATUS_HEADER] = "miss"
        rendered_in = getattr(request, "LANGUAGE_CODE", None)
        if _cacheable_response(request, response) and rendered_in == language:
            headers = {k: v for k, v in response.items() if k != STATUS_HEADER}
            # Stored with the version read *before* rendering: a change made meanwhile
            # makes this copy stale at once.
            entry = (version, response.content, headers, time.time() + timeout)
            cache.set(key, entry, timeout)
            RECENT_PAGES.put(key, entry)
        return response

    @staticmethod
    def stored(key):
        """(the current content version, the page stored under `key` at that version or
        None), in one round trip to the shared cache when nothing changed."""
        recent = RECENT_PAGES.get(key)
        # The version alone when this process has a copy, else the version and the page.
        found = cache.get_many([VERSION_KEY] if recent else [key, VERSION_KEY])
        version = _version(found)
        if recent is not None and recent[0] == version:
            return version, recent
        # No copy here, or an outdated one: another process may have stored a fresh page.
        entry = found.get(key) if recent is None else cache.get(key)
        if entry is None or entry[0] != version:
            return version, None
        RECENT_PAGES.put(key, entry)
        return version, entry


class CachedPageMixin:
    """For public page views: their pages are stored for anonymous visitors by
    PageCacheMiddleware."""

    page_cache_timeout = 600  # a safety net; the version is what keeps pages fresh
    page_cache = True
    # The query parameters the page reads (its filters, its page number...). The others are
    # dropped from the request before the page is looked up, rendered or stored: a page that
    # starts reading a parameter must name it here.
    query_parameters = frozenset()

    def dispatch(self, request, *args, **kwargs):
        if self.page_cache:
            request.page_cache_timeout = self.page_cache_timeout
        return super().dispatch(request, *args, **kwargs)
