from django.urls import path

from . import views

app_name = "missions"
urlpatterns = [
    path("missions/", views.MissionListView.as_view(), name="list"),
    path("missions/calendar.ics", views.MissionCalendarView.as_view(), name="calendar"),
    path(
        "missions/calendar/programs/<slug:slug>.ics",
        views.ProgramCalendarView.as_view(),
        name="calendar-program",
    ),
    path(
        "missions/calendar/countries/<str:code>.ics",
        views.CountryCalendarView.as_view(),
        name="calendar-country",
    ),
    path(
        "missions/calendar/specialties/<slug:slug>.ics",
        views.SpecialtyCalendarView.as_view(),
        name="calendar-specialty",
    ),
    path("missions/<slug:slug>/", views.MissionDetailView.as_view(), name="detail"),
    path("impact/", views.ImpactView.as_view(), name="impact"),
]
