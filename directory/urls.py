from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from . import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    # The language switcher in every page's footer posts here. Exempt from CSRF so that
    # public pages carry no per-visitor token and stay cacheable: a forged request can do no
    # more than change the language of the visitor's next page.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("submissions.urls")),
    path("", include("programs.urls")),
    path("", include("missions.urls")),
]

if settings.BENCHMARK:
    urlpatterns.insert(0, path("bench/hello", views.hello))

handler500 = "directory.views.server_error"
