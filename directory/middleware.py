"""Middleware shared by the whole site."""

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _

from .abuse import RateLimit

# Failed sign-ins per address before the login pages refuse for the rest of the window.
LOGIN_FAILURES = RateLimit(
    "login-failures", limit=settings.LOGIN_FAILURE_LIMIT, period=settings.LOGIN_FAILURE_WINDOW
)


@receiver(user_login_failed)
def _count_login_failure(sender, credentials, request=None, **kwargs):
    # Django's own hook for failed authentication; it only counts, it changes no data.
    if request is not None:
        LOGIN_FAILURES.hit(request)


class LoginThrottleMiddleware:
    """Refuse sign-in attempts from an address that has failed too often recently (the admin's
    login and the members' login), before the password is even checked. The counter lives in
    the cache, so it holds across app servers that share it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method == "POST"
            and request.path in self.login_paths()
            and (LOGIN_FAILURES.exceeded(request))
        ):
            body = loader.render_to_string(
                "429.html",
                {"message": _("Too many failed sign-in attempts. Try again in 15 minutes.")},
                request=request,
            )
            response = HttpResponse(body, status=429)
            response["Retry-After"] = str(settings.LOGIN_FAILURE_WINDOW)
            return response
        return self.get_response(request)

    @staticmethod
    def login_paths():
        return {reverse("admin:login"), resolve_url(settings.LOGIN_URL)}
