from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView
from django.views.i18n import set_language

from programs.sitemaps import SitemapIndexView, SitemapView

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
    # An index of one sitemap per kind of page, each in pages of at most 50,000 addresses
    # (the protocol's limit): a single sitemap would leave out every program beyond it.
    path("sitemap.xml", SitemapIndexView.as_view(), name="sitemap"),
    path("sitemap-<section>.xml", SitemapView.as_view(), name="sitemap-section"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain; charset=utf-8"),
        name="robots",
    ),
    path("", include("programs.urls")),
    path("", include("missions.urls")),
]

if settings.BENCHMARK:
    urlpatterns[:0] = [
        path("bench/hello", views.hello),
        path("bench/plain-list", views.plain_list),
    ]

handler500 = "directory.views.server_error"
