from django.urls import path

from . import views

app_name = "submissions"
urlpatterns = [
    path("submit/", views.SubmitView.as_view(), name="submit"),
    path(
        "submit/organizations.json",
        views.OrganizationSuggestionsView.as_view(),
        name="organization_suggestions",
    ),
    path("submit/thanks/", views.ThanksView.as_view(), name="thanks"),
    path("programs/<slug:slug>/suggest/", views.SuggestUpdateView.as_view(), name="suggest"),
    path("accounts/submissions/", views.MySubmissionsView.as_view(), name="mine"),
]
