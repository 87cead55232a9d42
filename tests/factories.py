"""Factories for tests. ProgramFactory makes a published program; the traits `pending`,
`rejected` and `archived` make the other states. Places, specialties and staffing are
given as lists: ProgramFactory(places=["PE", ("MX", "Guanajuato")], specialties=[s]);
contacts as names or as fields: contacts=["Ana", {"name": "Ben", "email": "ben@x.example"}]."""

import factory
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from programs.models import (
    Contact,
    Organization,
    Place,
    Program,
    Specialty,
    StaffingRequirement,
)


class SpecialtyFactory(DjangoModelFactory):
    class Meta:
        model = Specialty

    name = factory.Sequence(lambda n: f"Test specialty {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Test organization {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    description = "An organization made for a test."


class ProgramFactory(DjangoModelFactory):
    class Meta:
        model = Program
        skip_postgeneration_save = True

    class Params:
        pending = factory.Trait(status=Program.Status.PENDING, published_at=None)
        rejected = factory.Trait(status=Program.Status.REJECTED, published_at=None)
        archived = factory.Trait(status=Program.Status.ARCHIVED)

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Test program {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    description = "A program made for a test."
    status = Program.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    frequency = Program.Frequency.YEAR_ROUND

    @factory.post_generation
    def places(self, create, extracted, **kwargs):
        for position, place in enumerate(extracted or []):
            country, locality = place if isinstance(place, tuple) else (place, "")
            Place.objects.create(
                program=self, country=country, locality=locality, position=position
            )

    @factory.post_generation
    def specialties(self, create, extracted, **kwargs):
        if extracted:
            self.specialties.set(extracted)

    @factory.post_generation
    def staffing(self, create, extracted, **kwargs):
        for position, fields in enumerate(extracted or []):
            StaffingRequirement.objects.create(program=self, position=position, **fields)

    @factory.post_generation
    def contacts(self, create, extracted, **kwargs):
        for position, contact in enumerate(extracted or []):
            fields = {"name": contact} if isinstance(contact, str) else contact
            Contact.objects.create(program=self, position=position, **fields)


def full_program(n, specialties, **kwargs):
    """A published program with everything a page shows: two places, two specialties,
    a staffing row and a contact."""
    return ProgramFactory(
        name=f"Full program {n}",
        places=["PE", ("MX", f"City {n}")],
        specialties=specialties,
        staffing=[{"role": "surgeon", "min_count": 2, "max_count": 4, "period": "per-mission"}],
        contacts=[f"Contact {n}"],
        **kwargs,
    )
