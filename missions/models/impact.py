"""
Impact figures: what a mission, a program, an organization or a campaign achieved, with
the period and the source they come from. A figure is public when what it belongs to is
(`ImpactFigure.objects.published()`); totals add up only figures that can be added
(`countable()`): totals over a period, of an additive metric, not already included in
another published figure.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import Coalesce, ExtractYear
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from programs.models import Organization, Program, Specialty

from .choices import Basis, Metric, MissionStatus, Scope
from .missions import Mission


class CampaignManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Campaign(models.Model):
    """Missions grouped under one name by whoever reports them, e.g. "International disaster
    relief missions to Jordan, Turkey and Lebanon"."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True, default="")
    countries = CountryField(_("countries"), multiple=True, blank=True)
    organizer = models.CharField(
        _("reported by"), max_length=200, blank=True, default="", help_text=_('E.g. "ISAPS".')
    )

    objects = CampaignManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


def _visible_ids(**among):
    """The ids of the published figures (of those matching `among`), one query per scope.

    Each scope is its own inner join, which PostgreSQL answers from the figures' side. Asked
    as one condition with ORs over outer joins, it hashed every program of the directory,
    several times, for a few thousand figures: the impact page's sums took 0.8 s at 100,000
    programs, about 60 ms this way."""
    figures = ImpactFigure.objects.filter(**among).order_by()
    published = Program.Status.PUBLISHED
    by_scope = [
        figures.filter(
            scope=Scope.MISSION,
            mission__program__status=published,
            mission__status__in=[s for s in MissionStatus if s != MissionStatus.CANCELLED],
        ),
        figures.filter(scope=Scope.PROGRAM, program__status=published),
        figures.filter(
            Exists(Program.objects.published().filter(organization=OuterRef("organization"))),
            scope=Scope.ORGANIZATION,
        ),
        figures.filter(scope=Scope.CAMPAIGN),
    ]
    first, *rest = (rows.values("pk") for rows in by_scope)
    return first.union(*rest, all=True)


class ImpactFigureQuerySet(models.QuerySet):
    # Visibility. The impact page, the totals and every breakdown start here.
    def published(self):
        """Figures of published programs (directly, through a mission that is not cancelled,
        or through an organization that has one), and campaigns' figures."""
        return self.filter(pk__in=_visible_ids())

    def countable(self):
        """Published figures that add up without counting anything twice: totals (not
        yearly rates) of additive metrics, leaving out a figure included in another
        published one (the Amman trips are part of the Jordan, Turkey and Lebanon trips)."""
        return (
            self.published()
            .filter(basis=Basis.TOTAL, metric__in=Metric.additive())
            .filter(
                Q(part_of__isnull=True)
                # Only the figures that others are part of are looked at.
                | ~Q(part_of__in=_visible_ids(pk__in=ImpactFigure.objects.values("part_of_id")))
            )
        )

    def for_listing(self):
        return self.select_related(
            "mission__program", "program", "organization", "campaign", "specialty"
        )

    def first_with_total(self, size):
        """([the first `size` of these figures, in their order, loaded for listing], how
        many there are). The ids and the number come from one pass over the figures: counted
        apart, the published figures were gathered once more (55 of the impact page's 440 ms
        at 100,000 programs). The page's rows are then read by id, joined for `size` only."""
        first = list(self.annotate(total=Window(Count("pk"))).values_list("pk", "total")[:size])
        if not first:
            return [], 0
        rows = self.model.objects.filter(pk__in=[pk for pk, _total in first]).for_listing()
        by_id = {figure.pk: figure for figure in rows}
        return [by_id[pk] for pk, _total in first], first[0][1]

    # Sums. A page's totals and breakdowns come from one query (sums()): each aggregate of
    # its own would build the published figures again.
    def sums(self, metric=None):
        """The countable figures (of `metric` only, when given) as FigureSums: every total
        and breakdown of them, in one query."""
        rows = self.countable()
        if metric is not None:
            rows = rows.filter(metric=metric)
        return FigureSums(
            rows.values_list(
                "metric",
                "value",
                "is_lower_bound",
                "country",
                "specialty__slug",
                "specialty__name",
                Coalesce("period_end_year", ExtractYear("mission__end_on")),
            )
        )

    def totals(self):
        """{metric: (sum, is_lower_bound)} over the countable figures; a sum is a lower
        bound when one of its figures is ("more than 5,000")."""
        return self.sums().totals()

    def breakdown(self, metric, by):
        """See FigureSums.breakdown()."""
        return self.sums(metric).breakdown(metric, by)


class FigureSums:
    """Sums of countable figures, given as rows of (metric, value, is_lower_bound, country,
    specialty slug, specialty name, year)."""

    def __init__(self, rows):
        self.rows = list(rows)

    @staticmethod
    def _add(sums, key, value, lower):
        total, was_lower = sums.get(key, (0, False))
        sums[key] = (total + value, was_lower or lower)

    def totals(self):
        sums = {}
        for metric, value, lower, *_rest in self.rows:
            self._add(sums, metric, value, lower)
        return sums

    def breakdown(self, metric, by):
        """[(key, sum, is_lower_bound, name)] of one metric's figures, by "country" (code, or
        "" for several or none), "specialty" (slug and name, or None) or "year" (the year the
        figure's period ends or its mission took place, or None). The rows add up to the
        metric's total."""
        key = {
            "country": lambda country, slug, name, year: (country or "", ""),
            "specialty": lambda country, slug, name, year: (slug, name),
            "year": lambda country, slug, name, year: (year, ""),
        }[by]
        sums = {}
        for row_metric, value, lower, *about in self.rows:
            if row_metric == metric:
                self._add(sums, key(*about), value, lower)
        return [(key, total, lower, name) for (key, name), (total, lower) in sums.items()]


class ImpactFigure(models.Model):
    """One figure from a source: "18 trips", "more than 326,000 free surgical procedures"."""

    Scope = Scope
    Metric = Metric
    Basis = Basis

    scope = models.CharField(_("scope"), max_length=20, choices=Scope)
    mission = models.ForeignKey(
        Mission,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="impact_figures",
        verbose_name=_("mission"),
    )
    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="impact_figures",
        verbose_name=_("program"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="impact_figures",
        verbose_name=_("organization"),
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="impact_figures",
        verbose_name=_("campaign"),
    )

    metric = models.CharField(_("metric"), max_length=30, choices=Metric)
    value = models.PositiveIntegerField(_("value"))
    is_lower_bound = models.BooleanField(
        _("at least"), default=False, help_text=_("The source says “more than”.")
    )
    basis = models.CharField(_("counted"), max_length=20, choices=Basis, default=Basis.TOTAL)
    period_start_year = models.PositiveSmallIntegerField(_("from the year"), null=True, blank=True)
    period_end_year = models.PositiveSmallIntegerField(_("to the year"), null=True, blank=True)
    period_text = models.CharField(
        _("period, as the source words it"),
        max_length=200,
        blank=True,
        default="",
        help_text=_('E.g. "since 1982" or "over the last 15 years".'),
    )
    country = CountryField(
        _("country"), blank=True, help_text=_("Only when the figure is about one country.")
    )
    specialty = models.ForeignKey(
        Specialty,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="impact_figures",
        verbose_name=_("specialty"),
        help_text=_("Only when the figure is about one specialty."),
    )
    part_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parts",
        verbose_name=_("included in"),
        help_text=_("A figure of the same metric that already counts this one."),
    )
    wording = models.CharField(_("as worded by the source"), max_length=300, blank=True, default="")
    source = models.CharField(_("source"), max_length=300)
    source_url = models.URLField(_("source address"), blank=True, default="")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = ImpactFigureQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("impact figure")
        verbose_name_plural = _("impact figures")
        constraints = [
            models.CheckConstraint(condition=Q(scope__in=Scope.values), name="impact_scope_valid"),
            models.CheckConstraint(
                condition=Q(metric__in=Metric.values), name="impact_metric_valid"
            ),
            models.CheckConstraint(condition=Q(basis__in=Basis.values), name="impact_basis_valid"),
            # Exactly the one link its scope names.
            models.CheckConstraint(
                condition=Q(
                    scope=Scope.MISSION,
                    mission__isnull=False,
                    program__isnull=True,
                    organization__isnull=True,
                    campaign__isnull=True,
                )
                | Q(
                    scope=Scope.PROGRAM,
                    mission__isnull=True,
                    program__isnull=False,
                    organization__isnull=True,
                    campaign__isnull=True,
                )
                | Q(
                    scope=Scope.ORGANIZATION,
                    mission__isnull=True,
                    program__isnull=True,
                    organization__isnull=False,
                    campaign__isnull=True,
                )
                | Q(
                    scope=Scope.CAMPAIGN,
                    mission__isnull=True,
                    program__isnull=True,
                    organization__isnull=True,
                    campaign__isnull=False,
                ),
                name="impact_scope_matches_link",
            ),
            models.CheckConstraint(
                condition=Q(period_start_year__isnull=True)
                | Q(period_end_year__isnull=True)
                | Q(period_start_year__lte=F("period_end_year")),
                name="impact_period_start_lte_end",
            ),
            models.CheckConstraint(
                condition=Q(part_of__isnull=True) | ~Q(part_of=F("pk")),
                name="impact_not_part_of_itself",
            ),
        ]
        indexes = [models.Index(fields=["metric", "basis"], name="impact_metric_basis_idx")]

    def __str__(self):
        return f"{self.subject}: {self.value_display} {Metric(self.metric).in_text}"

    def clean(self):
        super().clean()
        if self.part_of_id and self.part_of.metric != self.metric:
            raise ValidationError(
                {
                    "part_of": ValidationError(
                        _("A figure can only be included in one of the same metric."),
                        code="part_of_other_metric",
                    )
                }
            )

    @property
    def subject(self):
        """What the figure is about: the mission, program, organization or campaign."""
        return {
            Scope.MISSION: self.mission,
            Scope.PROGRAM: self.program,
            Scope.ORGANIZATION: self.organization,
            Scope.CAMPAIGN: self.campaign,
        }[self.scope]

    @property
    def subject_name(self):
        subject = self.subject
        return subject.title if self.scope == Scope.MISSION else str(subject)

    @property
    def subject_url(self):
        subject = self.subject
        if self.scope == Scope.CAMPAIGN:
            return ""
        if self.scope == Scope.ORGANIZATION:
            return reverse("programs:organization", kwargs={"slug": subject.slug})
        return subject.get_absolute_url()

    @property
    def metric_in_text(self):
        return Metric(self.metric).in_text

    @property
    def value_display(self):
        value = number_format(self.value, force_grouping=True)
        return _("more than %(value)s") % {"value": value} if self.is_lower_bound else value

    @property
    def period_display(self):
        if self.period_text:
            return self.period_text
        start, end = self.period_start_year, self.period_end_year
        if start and end:
            return str(start) if start == end else f"{start}–{end}"
        if start:
            return _("since %(year)s") % {"year": start}
        if end:
            return _("to %(year)s") % {"year": end}
        return ""
