"""Invariants the database itself holds: each named constraint refuses a bad row."""

import pytest
from django.db import IntegrityError, transaction

from programs.models import Organization, Place, Program, Specialty, StaffingRequirement

from .factories import OrganizationFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def refused(**update):
    """Try `update` on a fresh program's row with a raw UPDATE (skipping form validation)."""
    program = ProgramFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Program.objects.filter(pk=program.pk).update(**update)


def test_program_status_must_be_a_known_status():
    refused(status="secret")


def test_program_frequency_must_be_a_known_kind():
    refused(frequency="sometimes")


def test_program_frequency_min_cannot_exceed_max():
    refused(frequency_min=5, frequency_max=4)


def test_program_frequency_min_equal_to_max_is_fine():
    program = ProgramFactory(frequency_min=4, frequency_max=4)
    assert program.frequency_min == program.frequency_max


def test_published_program_needs_a_publication_date():
    refused(status=Program.Status.PUBLISHED, published_at=None)


def test_pending_program_may_have_no_publication_date():
    assert ProgramFactory(pending=True).published_at is None


def test_program_slug_is_unique():
    ProgramFactory(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramFactory(slug="same")


def test_organization_slug_is_unique():
    OrganizationFactory(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(name="Other", slug="same")


def test_specialty_slug_is_unique():
    with pytest.raises(IntegrityError), transaction.atomic():
        Specialty.objects.create(name="Cleft again", slug="cleft-lip-and-palate")


@pytest.mark.parametrize(
    "fields",
    [
        {"role": "astronaut"},
        {"role": "surgeon", "period": "per-decade"},
        {"role": "surgeon", "min_count": 0},
        {"role": "surgeon", "min_count": 6, "max_count": 2},
    ],
    ids=["unknown-role", "unknown-period", "zero-minimum", "min-above-max"],
)
def test_staffing_requirement_constraints(fields):
    program = ProgramFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffingRequirement.objects.create(program=program, **fields)


def test_staffing_open_ended_and_unknown_counts_are_allowed():
    program = ProgramFactory()
    StaffingRequirement.objects.create(program=program, role="surgeon", min_count=2)
    StaffingRequirement.objects.create(program=program, role="surgeon", max_count=16)
    StaffingRequirement.objects.create(
        program=program, role="surgeon", wording="as many as possible"
    )
    assert program.staffing_requirements.count() == 3


def test_place_is_unique_per_program():
    program = ProgramFactory(places=[("PE", "Lima")])
    with pytest.raises(IntegrityError), transaction.atomic():
        Place.objects.create(program=program, country="PE", locality="Lima")


def test_organization_with_programs_cannot_be_deleted():
    from django.db.models import ProtectedError

    program = ProgramFactory()
    with pytest.raises(ProtectedError):
        program.organization.delete()


@pytest.mark.parametrize(
    ("low", "high", "shown"),
    [(2, 6, "2–6"), (4, 4, "4"), (2, None, "2+"), (None, 16, "up to 16"), (None, None, "")],
)
def test_staffing_count_display(low, high, shown):
    requirement = StaffingRequirement(role="surgeon", min_count=low, max_count=high)
    assert str(requirement.count_display) == shown


def test_published_queryset_excludes_every_other_status():
    before = Program.objects.published().count()
    for trait in ("pending", "rejected", "archived"):
        ProgramFactory(**{trait: True})
    ProgramFactory()
    assert Program.objects.published().count() == before + 1
    assert Program.objects.pending_review().count() == 1


@pytest.mark.parametrize(
    ("frequency", "low", "high", "shown"),
    [
        ("per-year", 5, 5, "5 missions a year"),
        ("per-year", 4, 5, "4–5 missions a year"),
        ("per-year", 1, None, "1 mission a year"),
        ("per-month", 2, 2, "2 missions a month"),
        ("year-round", None, None, "Year-round"),
        ("unspecified", None, None, "On request / not specified"),
        ("per-year", None, None, "Missions each year"),
    ],
)
def test_frequency_summary(frequency, low, high, shown):
    program = Program(frequency=frequency, frequency_min=low, frequency_max=high)
    assert str(program.frequency_summary) == shown
