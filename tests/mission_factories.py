"""Factories for missions and impact figures. MissionFactory makes an open mission of a
published program, on exact days; `month` makes one known only by its month, `undated` one
with no dates, and the status traits the other states:
MissionFactory(month=(2027, 3)), MissionFactory(cancelled=True)."""

import calendar
import datetime

import factory
from factory.django import DjangoModelFactory

from missions.models import Campaign, ImpactFigure, Mission, MissionRole

from .factories import OrganizationFactory, ProgramFactory


class MissionFactory(DjangoModelFactory):
    class Meta:
        model = Mission
        skip_postgeneration_save = True

    class Params:
        month = None
        undated = factory.Trait(
            date_precision=Mission.DatePrecision.UNKNOWN, start_on=None, end_on=None
        )
        planned = factory.Trait(status=Mission.Status.PLANNED)
        full = factory.Trait(status=Mission.Status.FULL)
        completed = factory.Trait(status=Mission.Status.COMPLETED)
        cancelled = factory.Trait(status=Mission.Status.CANCELLED)

    program = factory.SubFactory(ProgramFactory)
    title = factory.Sequence(lambda n: f"Test mission {n}")
    slug = factory.Sequence(lambda n: f"test-mission-{n}")
    country = "PE"
    city = "Lima"
    status = Mission.Status.OPEN
    date_precision = factory.LazyAttribute(
        lambda o: Mission.DatePrecision.MONTH if o.month else Mission.DatePrecision.DAY
    )
    start_on = factory.LazyAttribute(
        lambda o: datetime.date(*o.month, 1) if o.month else datetime.date(2027, 3, 10)
    )
    end_on = factory.LazyAttribute(
        lambda o: (
            datetime.date(*o.month, calendar.monthrange(*o.month)[1])
            if o.month
            else o.start_on + datetime.timedelta(days=6)
        )
    )

    @factory.post_generation
    def team(self, create, extracted, **kwargs):
        for position, fields in enumerate(extracted or []):
            MissionRole.objects.create(mission=self, position=position, **fields)


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Test campaign {n}")
    slug = factory.Sequence(lambda n: f"test-campaign-{n}")


class ImpactFigureFactory(DjangoModelFactory):
    """A program's figure by default; pass mission=, organization= or campaign= with the
    matching scope."""

    class Meta:
        model = ImpactFigure

    scope = ImpactFigure.Scope.PROGRAM
    program = factory.Maybe(
        factory.LazyAttribute(lambda o: o.scope == ImpactFigure.Scope.PROGRAM),
        factory.SubFactory(ProgramFactory),
        None,
    )
    organization = factory.Maybe(
        factory.LazyAttribute(lambda o: o.scope == ImpactFigure.Scope.ORGANIZATION),
        factory.SubFactory(OrganizationFactory),
        None,
    )
    metric = ImpactFigure.Metric.SURGERIES
    value = 10
    source = "A test document"
