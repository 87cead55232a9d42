"""Choices of missions and impact figures, at module level so that constraints can name them;
the models expose them (Mission.Status, ImpactFigure.Metric...)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MissionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open for volunteers")
    FULL = "full", _("Full")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class DatePrecision(models.TextChoices):
    """How much of a mission's dates is known. The stored dates are always the first and last
    day the mission can take: a mission "in March 2027" runs from 1 to 31 March."""

    DAY = "day", _("Exact days")
    MONTH = "month", _("Month only")
    UNKNOWN = "unknown", _("Not known")


class Coverage(models.TextChoices):
    """Who pays one cost of a volunteer (travel, lodging)."""

    UNKNOWN = "unknown", _("Not known")
    COVERED = "covered", _("Covered")
    SHARED = "shared", _("Partly covered")
    VOLUNTEER = "volunteer", _("Paid by the volunteer")


class Scope(models.TextChoices):
    MISSION = "mission", _("Mission")
    PROGRAM = "program", _("Program")
    ORGANIZATION = "organization", _("Organization")
    CAMPAIGN = "campaign", _("Campaign")


class Metric(models.TextChoices):
    TRIPS = "trips", _("Trips")
    SURGERIES = "surgeries", _("Surgeries")
    PATIENT_EVALUATIONS = "patient-evaluations", _("Patient evaluations")
    PATIENTS_TREATED = "patients-treated", _("Patients treated")
    TRAINED_IN_PERSON = "trained-in-person", _("People trained in person")
    TRAINED_ONLINE = "trained-online", _("People trained online")
    VOLUNTEERS = "volunteers", _("Volunteers")
    COUNTRIES = "countries", _("Countries worked in")
    VOLUNTEER_COUNTRIES = "volunteer-countries", _("Countries the volunteers came from")

    @property
    def in_text(self):
        """The metric after a figure, "326,000 surgeries": lower case where the language
        writes it so (German nouns keep their capital)."""
        return METRIC_IN_TEXT[self]

    @classmethod
    def additive(cls):
        """Metrics whose figures can be added up. Countries cannot: two organizations working
        in 13 and 3 countries do not make 16 countries."""
        return [m for m in cls if m not in (cls.COUNTRIES, cls.VOLUNTEER_COUNTRIES)]


METRIC_IN_TEXT = {
    Metric.TRIPS: pgettext_lazy("after a figure", "trips"),
    Metric.SURGERIES: pgettext_lazy("after a figure", "surgeries"),
    Metric.PATIENT_EVALUATIONS: pgettext_lazy("after a figure", "patient evaluations"),
    Metric.PATIENTS_TREATED: pgettext_lazy("after a figure", "patients treated"),
    Metric.TRAINED_IN_PERSON: pgettext_lazy("after a figure", "people trained in person"),
    Metric.TRAINED_ONLINE: pgettext_lazy("after a figure", "people trained online"),
    Metric.VOLUNTEERS: pgettext_lazy("after a figure", "volunteers"),
    Metric.COUNTRIES: pgettext_lazy("after a figure", "countries worked in"),
    Metric.VOLUNTEER_COUNTRIES: pgettext_lazy(
        "after a figure", "countries the volunteers came from"
    ),
}


class Basis(models.TextChoices):
    TOTAL = "total", _("Total over the period")
    PER_YEAR = "per-year", _("Each year")
