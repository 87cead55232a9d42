"""Factories for tests. ProgramFactory makes a published program; the traits `pending`,
`rejected` and `archived` make the other states. Places, specialties and staffing are
given as lists: ProgramFactory(places=["PE", ("MX", "Guanajuato")], specialties=[s]);
contacts as names or as fields: contacts=["Ana", {"name": "Ben", "email": "ben@x.example"}]."""

import factory
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from programs import signals
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

    @classmethod
    def _generate(cls, strategy, params):
        # Each place, staffing row and specialty added below would refresh the program's
        # search fields through its signal; the last step refreshes them once instead.
        with signals.paused():
            return super()._generate(strategy, params)

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

    @factory.post_generation
    def search_fields(self, create, extracted, **kwargs):
        # Last: the search fields are written from the places and specialties above.
        Program.objects.filter(pk=self.pk).refresh_search()


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


def submission_post(**overrides):
    """The POST data of a complete, valid /submit/ form: a new organization, one place, one
    staffing row, one contact. Keyword arguments replace or add fields; a value of None
    removes the field."""
    data = {
        "organization_name": "Andes Cleft Team",
        "organization_website": "https://andes.example.org",
        "name": "Cleft surgery in Cusco",
        "description": "Two-week missions operating on children with cleft lip and palate.",
        "website": "",
        "specialties": [],
        "other_specialties": "",
        "needs_text": "Cleft lip and palate",
        "frequency": "per-year",
        "frequency_min": "2",
        "frequency_max": "3",
        "frequency_text": "two or three missions a year",
        "next_mission_starts_on": "2027-03-01",
        "next_mission_ends_on": "2027-03-14",
        "resources_required": "Own travel",
        "min_commitment": "Two weeks",
        "languages": "Spanish, Quechua",
        "trains_local_staff": "yes",
        "impact_text": "",
        "submitter_name": "Ana Quispe",
        "submitter_email": "ana@example.org",
        "submitter_relation": "organization",
        "website_url": "",
        "places-TOTAL_FORMS": "4",
        "places-INITIAL_FORMS": "0",
        "places-0-country": "PE",
        "places-0-locality": "Cusco",
        "staffing-TOTAL_FORMS": "4",
        "staffing-INITIAL_FORMS": "0",
        "staffing-0-role": "plastic-surgeon",
        "staffing-0-min_count": "2",
        "staffing-0-max_count": "4",
        "staffing-0-period": "per-mission",
        "staffing-0-accepts_trainees": "on",
        "contacts-TOTAL_FORMS": "3",
        "contacts-INITIAL_FORMS": "0",
        "contacts-0-name": "Dr. Rosa Mamani",
        "contacts-0-role": "Coordinator",
        "contacts-0-email": "rosa@andes.example.org",
        "contacts-0-is_name_public": "on",
    }
    for row in range(1, 4):
        data[f"staffing-{row}-period"] = "per-mission"  # the select's initial value
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data
