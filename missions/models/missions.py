"""
Missions: one dated trip of a program's team. A mission is public when its program is
published (`Mission.objects.published()`); cancelled missions stay in the database and in
the calendars (as cancelled, so that subscribers' calendars drop them) but are never listed
as coming up nor counted.
"""

import calendar
import datetime
import functools

from django.conf import global_settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from programs.models import Program, Role
from programs.search import country_name

from .choices import Coverage, DatePrecision, MissionStatus

# What a mission's card and the calendars show first: the soonest, then the undated.
SOONEST_FIRST = (F("start_on").asc(nulls_last=True), "title", "pk")
LATEST_FIRST = (F("end_on").desc(nulls_last=True), "title", "pk")


@functools.lru_cache(maxsize=8192)
def _date_format(day, format_name, language):
    return formats.date_format(day, format_name)


def date_format(day, format_name):
    """Django's date_format(), remembered per day, format and language (a few hundred
    different days make the dates of thousands of missions in a calendar feed, where
    formatting each again took a third of the time)."""
    return _date_format(day, format_name, get_language())


class MissionStatusError(Exception):
    """A status change that the mission's current status does not allow."""


class MissionQuerySet(models.QuerySet):
    # Visibility. Every public page, calendar and count starts here.
    def published(self):
        return self.filter(program__status=Program.Status.PUBLISHED)

    def active(self):
        """Published and not cancelled: what is listed and counted."""
        return self.published().exclude(status=Mission.Status.CANCELLED)

    def upcoming(self, today=None):
        """Active missions still to come or under way; undated planned ones too (last)."""
        today = today or timezone.localdate()
        return (
            self.active()
            .filter(status__in=[Mission.Status.PLANNED, Mission.Status.OPEN, Mission.Status.FULL])
            .filter(Q(end_on__gte=today) | Q(start_on__isnull=True))
        )

    def past(self, today=None):
        """Active missions that are over: completed, or whose last day has gone."""
        today = today or timezone.localdate()
        return self.active().filter(Q(status=Mission.Status.COMPLETED) | Q(end_on__lt=today))

    def dated(self):
        return self.exclude(start_on__isnull=True)

    # Loading what the pages show, in a fixed number of queries.
    def for_listing(self):
        from .impact import ImpactFigure

        return self.select_related("program__organization").prefetch_related(
            Prefetch("team", queryset=MissionRole.objects.order_by("position", "id")),
            Prefetch(
                "impact_figures",
                queryset=ImpactFigure.objects.order_by("position", "id"),
            ),
        )

    def country_codes(self):
        """The codes of the countries these missions go to, one query."""
        return set(self.order_by().values_list("country", flat=True).distinct())

    # Filters. Related rows are matched with EXISTS so that no mission is listed twice.
    def in_countries(self, codes):
        return self.filter(country__in=list(codes))

    def in_specialties(self, slugs):
        return self.filter(
            Exists(
                Program.specialties.through.objects.filter(
                    program=OuterRef("program"), specialty__slug__in=list(slugs)
                )
            )
        )

    def needing_roles(self, roles):
        """Missions with open places for one of `roles`, or for a role those people also fill
        (a board-certified plastic surgeon fits a place for a surgeon)."""
        wanted = set()
        for role in roles:
            wanted |= Role.fits(role)
        return self.filter(
            Exists(
                MissionRole.objects.filter(
                    mission=OuterRef("pk"), role__in=wanted, open_places__gte=1
                )
            )
        )

    def between(self, first_day=None, last_day=None):
        """Missions that take place at least partly between the two days (either may be
        None: open-ended). A mission dated "March 2027" runs from 1 to 31 March, so a
        window from March to May finds it; undated missions are left out."""
        queryset = self.dated()
        if first_day:
            queryset = queryset.filter(end_on__gte=first_day)
        if last_day:
            queryset = queryset.filter(start_on__lte=last_day)
        return queryset


class MissionManager(models.Manager.from_queryset(MissionQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Mission(models.Model):
    """A dated trip of a program's team to one place."""

    Status = MissionStatus
    DatePrecision = DatePrecision
    Coverage = Coverage

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="missions", verbose_name=_("program")
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True, default="")

    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=200, blank=True, default="")
    host_facility = models.CharField(
        _("host facility"),
        max_length=200,
        blank=True,
        default="",
        help_text=_('The hospital or clinic, e.g. "Nuevo Hospital San Roque".'),
    )

    start_on = models.DateField(
        _("first day"),
        null=True,
        blank=True,
        help_text=_("With “month only”, any day of the month: it is stored as the first."),
    )
    end_on = models.DateField(
        _("last day"),
        null=True,
        blank=True,
        help_text=_("Empty for a one-day mission, or with “month only” for a single month."),
    )
    date_precision = models.CharField(
        _("dates known"), max_length=10, choices=DatePrecision, default=DatePrecision.DAY
    )
    duration_days = models.PositiveSmallIntegerField(
        _("length in days"),
        null=True,
        blank=True,
        help_text=_("When the source gives a length but not the days (“one week”)."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.PLANNED, db_index=True
    )

    team_size = models.PositiveSmallIntegerField(
        _("volunteers on the team"), null=True, blank=True, help_text=_("Empty when not given.")
    )
    volunteer_countries = CountryField(
        _("countries the volunteers came from"), multiple=True, blank=True
    )
    language = models.CharField(
        _("language spoken on site"),
        max_length=10,
        choices=global_settings.LANGUAGES,
        blank=True,
        default="",
    )

    travel = models.CharField(
        _("travel"), max_length=20, choices=Coverage, default=Coverage.UNKNOWN
    )
    lodging = models.CharField(
        _("lodging"), max_length=20, choices=Coverage, default=Coverage.UNKNOWN
    )
    fee = models.CharField(
        _("fee for the volunteer"),
        max_length=200,
        blank=True,
        default="",
        help_text=_('As the organization words it, e.g. "none" or "USD 300". Empty when unknown.'),
    )
    costs_note = models.TextField(_("about costs"), blank=True, default="")

    results = models.TextField(
        _("results"),
        blank=True,
        default="",
        help_text=_("What the mission achieved, in words. Figures go in impact figures."),
    )
    source = models.CharField(_("source"), max_length=300, blank=True, default="")
    source_url = models.URLField(_("source address"), blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MissionManager()

    class Meta:
        ordering = [*SOONEST_FIRST]
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=MissionStatus.values), name="mission_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(date_precision__in=DatePrecision.values),
                name="mission_date_precision_valid",
            ),
            models.CheckConstraint(
                condition=Q(travel__in=Coverage.values) & Q(lodging__in=Coverage.values),
                name="mission_coverage_valid",
            ),
            # Known dates come in pairs (a one-day mission ends the day it starts), unknown
            # dates are both empty: queries then never have to guess an end.
            models.CheckConstraint(
                condition=(
                    Q(date_precision=DatePrecision.UNKNOWN)
                    & Q(start_on__isnull=True)
                    & Q(end_on__isnull=True)
                )
                | (
                    ~Q(date_precision=DatePrecision.UNKNOWN)
                    & Q(start_on__isnull=False)
                    & Q(end_on__isnull=False)
                ),
                name="mission_dates_match_precision",
            ),
            models.CheckConstraint(
                condition=Q(start_on__isnull=True) | Q(end_on__gte=F("start_on")),
                name="mission_start_lte_end",
            ),
            models.CheckConstraint(
                condition=Q(duration_days__isnull=True) | Q(duration_days__gte=1),
                name="mission_duration_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["start_on", "end_on"], name="mission_dates_idx"),
            models.Index(fields=["country"], name="mission_country_idx"),
        ]

    def __str__(self):
        return f"{self.title} ({self.dates_display})"

    def get_absolute_url(self):
        return reverse("missions:detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["programs.program"]

    def clean(self):
        """Store the dates as the first and last day the mission can take, whatever day of the
        month was typed for a month-only mission."""
        super().clean()
        if self.date_precision == DatePrecision.UNKNOWN:
            self.start_on = self.end_on = None
            return
        if self.start_on is None:
            raise ValidationError(
                {
                    "start_on": ValidationError(
                        _("Give the first day, or the month, or choose “not known”."),
                        code="start_required",
                    )
                }
            )
        end = self.end_on or self.start_on
        if self.date_precision == DatePrecision.MONTH:
            self.start_on = self.start_on.replace(day=1)
            end = end.replace(day=calendar.monthrange(end.year, end.month)[1])
        self.end_on = end
        if self.end_on < self.start_on:
            raise ValidationError(
                {
                    "end_on": ValidationError(
                        _("The last day is before the first."), code="end_before_start"
                    )
                }
            )

    # --- Status changes: verbs that check the move ------------------------------------------

    def cancel(self):
        if self.status in (self.Status.COMPLETED, self.Status.CANCELLED):
            raise MissionStatusError(
                _("A %(status)s mission cannot be cancelled.")
                % {"status": self.get_status_display().lower()}
            )
        self.status = self.Status.CANCELLED

    def mark_completed(self, today=None):
        today = today or timezone.localdate()
        if self.status == self.Status.CANCELLED:
            raise MissionStatusError(_("A cancelled mission cannot be completed."))
        if self.start_on and self.start_on > today:
            raise MissionStatusError(_("A mission that has not started cannot be completed."))
        self.status = self.Status.COMPLETED

    # --- What the pages say ------------------------------------------------------------------

    # The same rules as MissionQuerySet.upcoming() and past(), for missions already loaded
    # (a test keeps them in step).
    def is_upcoming(self, today):
        return self.status in (self.Status.PLANNED, self.Status.OPEN, self.Status.FULL) and (
            self.end_on is None or self.end_on >= today
        )

    def is_past(self, today):
        over = self.end_on is not None and self.end_on < today
        return not self.is_cancelled and (self.status == self.Status.COMPLETED or over)

    @property
    def sort_key_soonest(self):
        return (self.start_on is None, self.start_on or datetime.date.min, self.title, self.pk)

    @property
    def sort_key_latest(self):
        return (self.end_on is None, -(self.end_on or datetime.date.min).toordinal(), self.title)

    @property
    def is_month_only(self):
        return self.date_precision == self.DatePrecision.MONTH

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def dates_display(self):
        """ "12–19 March 2027", "March 2027", "March–May 2027", "Dates not known"... in the
        active language's formats (directory/formats): "12.–19. März 2027"."""
        start, end = self.start_on, self.end_on
        if self.date_precision == DatePrecision.UNKNOWN or start is None:
            return str(_("Dates not known"))
        if self.date_precision == DatePrecision.MONTH:
            if (start.year, start.month) == (end.year, end.month):
                return date_format(start, "YEAR_MONTH_FORMAT")
            if start.year == end.year:
                return f"{date_format(start, 'F')}–{date_format(end, 'YEAR_MONTH_FORMAT')}"
            month = "YEAR_MONTH_FORMAT"
            return f"{date_format(start, month)}–{date_format(end, month)}"
        if start == end:
            return date_format(start, "DATE_FORMAT")
        if (start.year, start.month) == (end.year, end.month):
            return f"{date_format(start, 'DAY_FORMAT')}–{date_format(end, 'DATE_FORMAT')}"
        if start.year == end.year:
            return f"{date_format(start, 'DAY_MONTH_FORMAT')}–{date_format(end, 'DATE_FORMAT')}"
        return f"{date_format(start, 'DATE_FORMAT')}–{date_format(end, 'DATE_FORMAT')}"

    @property
    def duration_display(self):
        days = self.duration_days
        if not days:
            return ""
        if days % 7 == 0:
            weeks = days // 7
            return ngettext("%(count)s week", "%(count)s weeks", weeks) % {"count": weeks}
        return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}

    @property
    def volunteer_countries_display(self):
        """The volunteers' countries by name in the visitor's language, not by code."""
        return ", ".join(str(country.name) for country in self.volunteer_countries)

    @property
    def place_display(self):
        # Named from the per-language table: a calendar names thousands of places.
        parts = [self.host_facility, self.city, country_name(self.country.code)]
        return ", ".join(part for part in parts if part)

    @property
    def calendar_end(self):
        """The day after the last: iCalendar's all-day events end there (RFC 5545 3.6.1)."""
        return self.end_on + datetime.timedelta(days=1) if self.end_on else None


class MissionRole(models.Model):
    """The team of a mission in one role: how many go, and how many places are still open."""

    Role = Role

    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="team", verbose_name=_("mission")
    )
    role = models.CharField(_("role"), max_length=40, choices=Role)
    count = models.PositiveSmallIntegerField(
        _("on the team"), null=True, blank=True, help_text=_("Empty when not given.")
    )
    open_places = models.PositiveSmallIntegerField(
        _("places open"), default=0, help_text=_("Places still open to volunteers.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("team role")
        verbose_name_plural = _("team roles")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="mission_role_valid"),
            models.CheckConstraint(
                condition=Q(count__isnull=True) | Q(count__gte=1),
                name="mission_role_count_positive",
            ),
            models.UniqueConstraint(fields=["mission", "role"], name="mission_role_unique"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} ({self.mission.title})"
