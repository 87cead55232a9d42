"""Choices shared by models, filters and templates. They live at module level so that the
constraints in a model's Meta can name them; models expose them as Program.Status,
StaffingRequirement.Role..."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgramStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    ARCHIVED = "archived", _("Archived")


class Frequency(models.TextChoices):
    YEAR_ROUND = "year-round", _("Year-round")
    PER_YEAR = "per-year", _("Missions each year")
    PER_MONTH = "per-month", _("Missions each month")
    UNSPECIFIED = "unspecified", _("On request / not specified")


class Role(models.TextChoices):
    CERTIFIED_PLASTIC_SURGEON = "certified-plastic-surgeon", _("Board-certified plastic surgeon")
    PLASTIC_SURGEON = "plastic-surgeon", _("Plastic surgeon")
    CERTIFIED_SURGEON = "certified-surgeon", _("Board-certified surgeon")
    SURGEON = "surgeon", _("Surgeon")
    PLASTIC_SURGERY_RESIDENT = "plastic-surgery-resident", _("Plastic-surgery resident")
    ANAESTHESIOLOGIST = "anaesthesiologist", _("Anaesthesiologist")
    NURSE = "nurse", _("Nurse")
    OTHER = "other", _("Other")

    @classmethod
    def fits(cls, role):
        """The roles a person in `role` can fill: their own, and the more general ones."""
        return {role} | _ROLE_ALSO_FITS.get(role, set())

    @classmethod
    def fitting(cls, roles):
        """The roles that people in any of `roles` can fill."""
        return set().union(*(cls.fits(role) for role in roles))

    @classmethod
    def filled_by(cls, role):
        """The roles whose people can fill `role`: its own, and the more specialized ones (a
        program asking for a surgeon is filled by a board-certified plastic surgeon)."""
        return {other for other in cls.values if role in cls.fits(other)}


class Period(models.TextChoices):
    PER_MISSION = "per-mission", _("per mission")
    PER_YEAR = "per-year", _("per year")
    UNSPECIFIED = "unspecified", _("unspecified")


# Who else a person can stand in for: a board-certified plastic surgeon fits a program that
# asks for any surgeon, but a resident does not fit one that asks for a certified surgeon.
_ROLE_ALSO_FITS = {
    Role.CERTIFIED_PLASTIC_SURGEON: {
        Role.PLASTIC_SURGEON,
        Role.CERTIFIED_SURGEON,
        Role.SURGEON,
    },
    Role.PLASTIC_SURGEON: {Role.SURGEON},
    Role.CERTIFIED_SURGEON: {Role.SURGEON},
}
