"""Choices of missions and impact figures, at module level so that constraints can name them;
the models expose them (Mission.Status, ImpactFigure.Metric...)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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

    @classmethod
    def additive(cls):
        """Metrics whose figures can be added up. Countries cannot: two organizations working
        in 13 and 3 countries do not make 16 countries."""
        return [m for m in cls if m not in (cls.COUNTRIES, cls.VOLUNTEER_COUNTRIES)]


class Basis(models.TextChoices):
    TOTAL = "total", _("Total over the period")
    PER_YEAR = "per-year", _("Each year")
