"""
Programs, and the one visibility rule of the directory: a program is public when it is
published (`Program.objects.published()`). Everything public (an organization's page, a
country's count, a specialty's list) is derived from published programs.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..regions import REGIONS, REGIONS_BY_SLUG
from ..search import SEARCH_FIELDS, TokenConditions, is_postgresql
from .base import NaturalKeyManager
from .choices import Frequency, ProgramStatus
from .details import Contact, Place, StaffingRequirement
from .lexicon import SearchWord
from .organizations import Organization
from .taxonomy import Specialty


# Conditions on a program, as expressions: the filters use them, and the facet counts combine
# them inside one aggregate. Related rows are matched with EXISTS so that no program is
# listed or counted twice.
def has_place_in(codes):
    return Exists(Place.objects.filter(program=OuterRef("pk"), country__in=list(codes)))


def needs_one_of(roles):
    """A program that needs someone in one of `roles`, or in a role those people also fill
    (a board-certified plastic surgeon fits a program that asks for surgeons)."""
    wanted = StaffingRequirement.Role.fitting(roles)
    return Exists(StaffingRequirement.objects.filter(program=OuterRef("pk"), role__in=wanted))


def takes_trainees():
    return Exists(StaffingRequirement.objects.filter(program=OuterRef("pk"), accepts_trainees=True))


class ProgramQuerySet(TokenConditions, models.QuerySet):
    # Visibility. Every public page, list, count and filter choice starts here.
    def published(self):
        return self.filter(status=Program.Status.PUBLISHED)

    def pending_review(self):
        return self.filter(status=Program.Status.PENDING)

    # Loading what the pages show, in a fixed number of queries.
    def for_listing(self, to_lists=False):
        """The programs with their organization, places and specialties. With `to_lists`,
        the places and specialties come as plain lists, `listed_places` and
        `listed_specialties`, instead of filling `places.all()` and `specialties.all()`: to
        fill a related manager, Django builds a queryset for each program, which cost about
        3 ms of the 25 cards of a list page."""
        # The search fields are for the database only: not carried through sorting or sent.
        places = Place.objects.order_by("position", "id")
        specialties = Specialty.objects.order_by("position", "name")
        return (
            self.defer(*SEARCH_FIELDS, "search_vector")
            .select_related("organization")
            .prefetch_related(
                Prefetch("places", places, to_attr="listed_places" if to_lists else None),
                Prefetch(
                    "specialties",
                    specialties,
                    to_attr="listed_specialties" if to_lists else None,
                ),
            )
        )

    def for_export(self):
        """What the CSV and JSON exports carry: the listing plus staffing (`listed_staffing`),
        never contacts. As plain lists (see for_listing()): an export reads thousands of
        programs, and the querysets of their related managers were most of its memory."""
        return self.for_listing(to_lists=True).prefetch_related(
            Prefetch(
                "staffing_requirements",
                queryset=StaffingRequirement.objects.order_by("position", "id"),
                to_attr="listed_staffing",
            ),
        )

    def for_detail(self):
        return self.for_listing().prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.order_by("position", "id")),
            Prefetch(
                "staffing_requirements",
                queryset=StaffingRequirement.objects.order_by("position", "id"),
            ),
        )

    # Counts over this queryset (published programs, filtered or not), one query each.
    def country_counts(self):
        """{country code: number of programs with a place there}."""
        rows = (
            Place.objects.filter(program__in=self.values("pk"))
            .values_list("country")
            .annotate(n=Count("program", distinct=True))
            .order_by()
        )
        return dict(rows)

    def region_counts(self):
        """{region slug: number of programs with a place in that region}, in one pass over the
        places (a correlated EXISTS per region and program costs far more)."""
        return self.order_by().aggregate(
            **{
                region.slug: Count(
                    "pk", distinct=True, filter=Q(places__country__in=region.countries)
                )
                for region in REGIONS
            }
        )

    def totals(self):
        """Number of programs and of the organizations that run them."""
        return self.order_by().aggregate(
            programs=Count("pk"), organizations=Count("organization", distinct=True)
        )

    # Filters. On PostgreSQL a condition on the program's filter tokens (programs.search), in
    # the same GIN index as the words of a search; elsewhere related rows matched with EXISTS.
    # Either way no program is listed twice.
    def in_countries(self, codes):
        if is_postgresql():
            return super().in_countries(codes)
        return self.filter(has_place_in(codes))

    def in_region(self, slug):
        return self.in_regions([slug])

    def in_regions(self, slugs):
        if is_postgresql():
            return super().in_regions(slugs)
        return self.in_countries(set().union(*(REGIONS_BY_SLUG[s].countries for s in slugs)))

    def in_specialties(self, slugs):
        if is_postgresql():
            return super().in_specialties(slugs)
        return self.filter(
            Exists(
                Program.specialties.through.objects.filter(
                    program=OuterRef("pk"), specialty__slug__in=list(slugs)
                )
            )
        )

    def needing_roles(self, roles):
        if is_postgresql():
            return super().needing_roles(roles)
        return self.filter(needs_one_of(roles))

    def accepting_trainees(self):
        if is_postgresql():
            return super().accepting_trainees()
        return self.filter(takes_trainees())

    def not_accepting_trainees(self):
        if is_postgresql():
            return super().not_accepting_trainees()
        return self.exclude(takes_trainees())

    def with_frequencies(self, frequencies):
        if is_postgresql():
            return super().with_frequencies(frequencies)
        return self.filter(frequency__in=list(frequencies))

    # The denormalized search fields: written here, by whatever changes what a program shows
    # (the admin, the submission workflow, the seed and generator commands), and by the
    # receivers of programs/signals.py for any change of its places, staffing or specialties.
    def for_search_refresh(self):
        return self.select_related("organization").prefetch_related(
            "places", "specialties", "staffing_requirements"
        )

    def refresh_search(self, batch_size=1000):
        """Rewrite the search fields of every program in this queryset. Returns the count."""
        from ..search import document_fields, lexicon_words, search_vector

        count = 0
        pks = list(self.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), batch_size):
            programs = list(
                Program.objects.filter(pk__in=pks[start : start + batch_size]).for_search_refresh()
            )
            for program in programs:
                for field, value in document_fields(program).items():
                    setattr(program, field, value)
            Program.objects.bulk_update(programs, SEARCH_FIELDS)
            SearchWord.objects.bulk_create(
                [SearchWord(word=word) for word in lexicon_words(programs)],
                ignore_conflicts=True,
                batch_size=5000,
            )
            if is_postgresql():
                Program.objects.filter(pk__in=[p.pk for p in programs]).update(
                    search_vector=search_vector()
                )
            count += len(programs)
        return count


class InvalidTransition(Exception):
    """A status change that the program's current status does not allow."""


class Program(models.Model):
    """A humanitarian surgery program that volunteers can join."""

    Status = ProgramStatus
    Frequency = Frequency
    InvalidTransition = InvalidTransition

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="programs",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True, default="")
    website = models.URLField(_("website"), blank=True, default="")

    specialties = models.ManyToManyField(
        Specialty, related_name="programs", blank=True, verbose_name=_("specialties")
    )
    needs_text = models.TextField(
        _("surgical needs, as worded by the organization"), blank=True, default=""
    )
    location_text = models.CharField(
        _("location, as worded by the organization"), max_length=300, blank=True, default=""
    )

    frequency = models.CharField(
        _("frequency"), max_length=20, choices=Frequency, default=Frequency.UNSPECIFIED
    )
    frequency_min = models.PositiveSmallIntegerField(_("missions, at least"), null=True, blank=True)
    frequency_max = models.PositiveSmallIntegerField(_("missions, at most"), null=True, blank=True)
    frequency_text = models.CharField(
        _("frequency, as worded by the organization"), max_length=300, blank=True, default=""
    )
    min_commitment = models.CharField(
        _("minimum time commitment"), max_length=200, blank=True, default=""
    )
    resources_required = models.TextField(_("resources required"), blank=True, default="")
    languages = models.CharField(
        _("languages spoken on site"), max_length=200, blank=True, default=""
    )
    trains_local_staff = models.BooleanField(
        _("trains local staff"),
        null=True,
        blank=True,
        help_text=_("Leave unknown when the program does not say."),
    )

    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.PENDING, db_index=True
    )
    last_verified_on = models.DateField(_("last verified"), null=True, blank=True)
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        default="",
        help_text=_("Where the information comes from."),
    )
    source_url = models.URLField(_("source address"), blank=True, default="")
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Search fields (programs.search): normalized copies of what a program shows.
    search_names = models.TextField(editable=False, blank=True, default="")
    search_terms = models.TextField(editable=False, blank=True, default="")
    search_text = models.TextField(editable=False, blank=True, default="")
    # The filter tokens (programs.search.filter_tokens), space-separated, for search_vector.
    search_filters = models.TextField(editable=False, blank=True, default="")
    # PostgreSQL: the weighted full-text document of the three, stored so that matching and
    # ranking read it instead of recomputing it for every candidate row. Unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = NaturalKeyManager.from_queryset(ProgramQuerySet)()

    class Meta:
        ordering = ["name"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProgramStatus.values),
                name="program_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values),
                name="program_frequency_valid",
            ),
            models.CheckConstraint(
                condition=Q(frequency_min__isnull=True)
                | Q(frequency_max__isnull=True)
                | Q(frequency_min__lte=F("frequency_max")),
                name="program_frequency_min_lte_max",
            ),
            models.CheckConstraint(
                condition=~Q(status=ProgramStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="program_published_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "name"], name="program_status_name_idx"),
            models.Index(fields=["status", "-published_at"], name="program_status_published_idx"),
            # Which programs are published, and their organizations, without reading the
            # wide rows (descriptions, search fields): the many "of a published program"
            # conditions (impact figures, missions, totals) hash this index alone (an
            # index-only scan on PostgreSQL).
            models.Index(fields=["status", "id", "organization"], name="program_status_id_org_idx"),
            # Every program by name, whatever its status: the admin's list, which otherwise
            # sorted the whole table for each page (0.14 s at 100,000 programs; 1 ms so).
            models.Index(fields=["name"], name="program_name_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programs:detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)

    # Status changes. Each checks the move and raises InvalidTransition; the caller saves
    # (submissions.services does, in a transaction, with the e-mail that goes with it).
    def publish(self):
        if self.status not in (self.Status.PENDING, self.Status.ARCHIVED):
            raise InvalidTransition(
                _("A program with the status “%(status)s” cannot be published.")
                % {"status": self.get_status_display()}
            )
        self.status = self.Status.PUBLISHED
        self.published_at = self.published_at or timezone.now()
        # Staff reviewed the listing when they published it.
        self.last_verified_on = timezone.localdate()

    def reject(self):
        if self.status != self.Status.PENDING:
            raise InvalidTransition(
                _("A program with the status “%(status)s” cannot be rejected.")
                % {"status": self.get_status_display()}
            )
        self.status = self.Status.REJECTED

    def archive(self):
        if self.status != self.Status.PUBLISHED:
            raise InvalidTransition(
                _("A program with the status “%(status)s” cannot be archived.")
                % {"status": self.get_status_display()}
            )
        self.status = self.Status.ARCHIVED

    def mark_verified(self):
        self.last_verified_on = timezone.localdate()

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def frequency_summary(self):
        """ "5 missions a year", "4–5 missions a year", "Year-round"..."""
        low, high = self.frequency_min, self.frequency_max
        if self.frequency in (Frequency.PER_YEAR, Frequency.PER_MONTH) and low:
            count = f"{low}–{high}" if high and high != low else str(low)
            number = high or low
            if self.frequency == Frequency.PER_YEAR:
                return ngettext("%(count)s mission a year", "%(count)s missions a year", number) % {
                    "count": count
                }
            return ngettext("%(count)s mission a month", "%(count)s missions a month", number) % {
                "count": count
            }
        return self.get_frequency_display()

    @property
    def accepts_trainees(self):
        return any(s.accepts_trainees for s in self.staffing_requirements.all())

    @property
    def is_stale(self):
        """Not verified for longer than settings.STALE_AFTER_DAYS (never-verified is not stale:
        its source says where the information comes from)."""
        if self.last_verified_on is None:
            return False
        age = timezone.localdate() - self.last_verified_on
        return age.days > settings.STALE_AFTER_DAYS
