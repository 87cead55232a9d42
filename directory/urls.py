from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("submissions.urls")),
    path("", include("programs.urls")),
    path("", include("missions.urls")),
]

if settings.BENCHMARK:
    urlpatterns.insert(0, path("bench/hello", views.hello))

handler500 = "directory.views.server_error"
