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

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

VERSION_KEY = "directory:content-version"
PAGE_PREFIX = "directory:page:"
CONTENT_APPS = {"programs", "missions"}


def content_changed(**kwargs):
    """Make every cached page stale. Safe to call often; callers need not know about pages."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet, or evicted
        cache.set(VERSION_KEY, 1, timeout=None)


def versioned(name, compute, timeout=3600):
    """`compute()`, cached until the content changes (for data shared by many pages)."""
    key = f"directory:data:{name}"
    found = cache.get_many([key, VERSION_KEY])
    version = found.get(VERSION_KEY, 0)
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


def _key(request):
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    return f"{PAGE_PREFIX}{language}:{request.get_full_path()}"


def _cacheable_request(request):
    if not settings.PAGE_CACHE or request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    return not (settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies)


def _cacheable_response(request, response):
    return (
        response.status_code == 200
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "no-store" not in response.get("Cache-Control", "")
        and "private" not in response.get("Cache-Control", "")
    )


class CachedPageMixin:
    """For public page views. The cached copy is rebuilt into a fresh HttpResponse, so every
    middleware (security headers, CSP...) still processes it."""

    page_cache_timeout = 600  # a safety net; the version is what keeps pages fresh
    page_cache = True

    def dispatch(self, request, *args, **kwargs):
        if not (self.page_cache and _cacheable_request(request)):
            return super().dispatch(request, *args, **kwargs)
        key = _key(request)
        found = cache.get_many([key, VERSION_KEY])
        version = found.get(VERSION_KEY, 0)
        entry = found.get(key)
        if entry is not None and entry[0] == version:
            response = HttpResponse(entry[1], content_type=entry[2])
            response["X-Page-Cache"] = "hit"
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            return response
        response = super().dispatch(request, *args, **kwargs)
        response["X-Page-Cache"] = "miss"

        def store(rendered):
            if _cacheable_response(request, rendered):
                cache.set(
                    key,
                    (version, rendered.content, rendered["Content-Type"]),
                    self.page_cache_timeout,
                )

        if hasattr(response, "add_post_render_callback") and not response.is_rendered:
            response.add_post_render_callback(store)
        else:
            store(response)
        return response
