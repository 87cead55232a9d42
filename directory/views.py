"""Project-wide views: the health check and the error pages."""

import sys

from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """For load balancers: 200 when the database and the cache answer, 503 otherwise, with
    which one failed. Cheap enough to poll every few seconds."""
    status = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        status["database"] = "ok"
    except DatabaseError as error:
        status["database"] = f"error: {error.__class__.__name__}"
    try:
        cache.set("healthz", "ok", 10)
        status["cache"] = "ok" if cache.get("healthz") == "ok" else "error: no round trip"
    except Exception as error:  # any cache backend failure means "not healthy"
        status["cache"] = f"error: {error.__class__.__name__}"
    healthy = all(value == "ok" for value in status.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **status}, status=200 if healthy else 503
    )


def hello(request):
    """The benchmark's floor: a fixed answer through the whole middleware stack."""
    return HttpResponse("hello", content_type="text/plain")


def plain_list(request):
    """The benchmark's second reference: a plain Django list template of 50 programs, one
    query, no filters, no panel, no translation. What the template engine alone costs for a
    list, next to which the directory's own pages are judged."""
    from django.shortcuts import render

    from programs.models import Program

    programs = Program.objects.published().select_related("organization").order_by("pk")[:50]
    return render(request, "bench/plain_list.html", {"programs": programs})


def server_error(request, template_name="500.html"):
    """The 500 handler. When the error is the database being unreachable, answer 503 with a
    page that says so and asks to retry: the site recovers by itself when the database is back
    (connections are health-checked), so there is nothing for the visitor to report.

    Django calls this inside its exception handler, so the exception is still current. Neither
    page touches the database."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = HttpResponseServerError(_render_or_plain("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(_render_or_plain(template_name))


def _render_or_plain(template_name):
    """An error page must not fail in turn (a missing static manifest, a broken template):
    fall back to plain HTML rather than let the error cascade."""
    try:
        return loader.get_template(template_name).render({})
    except Exception:
        return PLAIN_ERROR_PAGE


PLAIN_ERROR_PAGE = (
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>Error</title>'
    "<h1>Something went wrong</h1><p>Please try again in a few minutes.</p></html>"
)
