from django.urls import path

from . import exports, feeds, views

app_name = "programs"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("programs/", views.ProgramListView.as_view(), name="list"),
    path("programs/<slug:slug>/", views.ProgramDetailView.as_view(), name="detail"),
    path("programs/<slug:slug>/contact/", views.ProgramContactView.as_view(), name="contact"),
    path("organizations/<slug:slug>/", views.OrganizationDetailView.as_view(), name="organization"),
    path("countries/", views.CountryListView.as_view(), name="countries"),
    path("countries/<str:code>/", views.CountryDetailView.as_view(), name="country"),
    path("specialties/", views.SpecialtyListView.as_view(), name="specialties"),
    path("specialties/<slug:slug>/", views.SpecialtyDetailView.as_view(), name="specialty"),
    path("export/programs.csv", exports.ProgramCSVView.as_view(), name="export-csv"),
    path("export/programs.json", exports.ProgramJSONView.as_view(), name="export-json"),
    path("feeds/programs.atom", feeds.NewProgramsFeed(), name="feed"),
    path("feeds/countries/<str:code>.atom", feeds.CountryProgramsFeed(), name="country-feed"),
    path(
        "feeds/specialties/<slug:slug>.atom", feeds.SpecialtyProgramsFeed(), name="specialty-feed"
    ),
]
