"""
The directory: organizations, the programs they run, and what each program needs.

Visibility has one rule, written once: a program is public when it is published
(`Program.objects.published()`), and everything public (an organization's page, a country's
count, a specialty's list) is derived from published programs.
"""

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries
from django_countries.fields import CountryField

from .regions import REGIONS, REGIONS_BY_SLUG


class NaturalKeyManager(models.Manager):
    """Fixtures refer to specialties, organizations and programs by slug, not by id."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class SlugNaturalKeyMixin:
    def natural_key(self):
        return (self.slug,)


# --- Specialties ---------------------------------------------------------------------------


class SpecialtyQuerySet(models.QuerySet):
    def with_program_counts(self):
        """Annotate `program_count`, the number of published programs in each specialty."""
        return self.annotate(
            program_count=Count(
                "programs",
                filter=Q(programs__status=Program.Status.PUBLISHED),
                distinct=True,
            )
        )


class Specialty(SlugNaturalKeyMixin, models.Model):
    """One entry of the curated taxonomy of surgical needs (cleft lip and palate, noma...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True, default="")
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order in lists; lower comes first.")
    )

    objects = NaturalKeyManager.from_queryset(SpecialtyQuerySet)()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programs:specialty", kwargs={"slug": self.slug})


# --- Organizations -------------------------------------------------------------------------


class OrganizationQuerySet(models.QuerySet):
    def with_published_programs(self):
        """Organizations that have at least one published program: the public ones."""
        return self.filter(Exists(Program.objects.published().filter(organization=OuterRef("pk"))))


class Organization(SlugNaturalKeyMixin, models.Model):
    """An NGO, hospital, foundation or society that runs one or more programs."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True, default="")
    website = models.URLField(_("website"), blank=True, default="")
    phone = models.CharField(_("phone"), max_length=50, blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = NaturalKeyManager.from_queryset(OrganizationQuerySet)()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programs:organization", kwargs={"slug": self.slug})


# --- Programs ------------------------------------------------------------------------------


class ProgramQuerySet(models.QuerySet):
    # Visibility. Every public page, list, count and filter choice starts here.
    def published(self):
        return self.filter(status=Program.Status.PUBLISHED)

    def pending_review(self):
        return self.filter(status=Program.Status.PENDING)

    # Loading what the pages show, in a fixed number of queries.
    def for_listing(self):
        return self.select_related("organization").prefetch_related(
            Prefetch("places", queryset=Place.objects.order_by("position", "id")),
            Prefetch("specialties", queryset=Specialty.objects.order_by("position", "name")),
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
        """{region slug: number of programs with a place in that region}."""
        return self.order_by().aggregate(
            **{
                region.slug: Count(
                    "pk",
                    filter=Q(
                        Exists(
                            Place.objects.filter(
                                program=OuterRef("pk"), country__in=region.countries
                            )
                        )
                    ),
                )
                for region in REGIONS
            }
        )

    def totals(self):
        """Number of programs and of the organizations that run them."""
        return self.order_by().aggregate(
            programs=Count("pk"), organizations=Count("organization", distinct=True)
        )

    # Filters. Related rows are matched with EXISTS so that no program is listed twice.
    def in_countries(self, codes):
        return self.filter(
            Exists(Place.objects.filter(program=OuterRef("pk"), country__in=list(codes)))
        )

    def in_region(self, slug):
        return self.in_countries(REGIONS_BY_SLUG[slug].countries)

    def in_specialties(self, slugs):
        return self.filter(
            Exists(
                Program.specialties.through.objects.filter(
                    program=OuterRef("pk"), specialty__slug__in=list(slugs)
                )
            )
        )

    def needing_roles(self, roles):
        """Programs that need someone in one of `roles`, or in a role those people also fill
        (a board-certified plastic surgeon fits a program that asks for surgeons)."""
        wanted = set()
        for role in roles:
            wanted |= StaffingRequirement.Role.fits(role)
        return self.filter(
            Exists(StaffingRequirement.objects.filter(program=OuterRef("pk"), role__in=wanted))
        )

    def accepting_trainees(self):
        return self.filter(
            Exists(
                StaffingRequirement.objects.filter(program=OuterRef("pk"), accepts_trainees=True)
            )
        )

    def search(self, text):
        """Programs matching every word of `text` somewhere: in their name, organization,
        description, needs, location wording, places (city, region or country name) or
        specialties. Case-insensitive substring matching, which works on every database."""
        for word in text.split():
            country_codes = [code for code, name in countries if word.lower() in name.lower()]
            places = Place.objects.filter(program=OuterRef("pk")).filter(
                Q(locality__icontains=word) | Q(country__in=country_codes)
            )
            specialties = Program.specialties.through.objects.filter(
                program=OuterRef("pk"), specialty__name__icontains=word
            )
            self = self.filter(
                Q(name__icontains=word)
                | Q(organization__name__icontains=word)
                | Q(description__icontains=word)
                | Q(needs_text__icontains=word)
                | Q(location_text__icontains=word)
                | Exists(places)
                | Exists(specialties)
            )
        return self


# The choices live at module level so that the constraints in Meta can name them; models
# refer to them as Program.Status, Program.Frequency.
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


class Program(SlugNaturalKeyMixin, models.Model):
    """A humanitarian surgery program that volunteers can join."""

    Status = ProgramStatus
    Frequency = Frequency

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
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programs:detail", kwargs={"slug": self.slug})

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


# --- What belongs to a program -------------------------------------------------------------


class Place(models.Model):
    """Where a program works: a country, and a city or region when it is known."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="places", verbose_name=_("program")
    )
    country = CountryField(_("country"))
    locality = models.CharField(
        _("city or region"),
        max_length=200,
        blank=True,
        default="",
        help_text=_('For example "Lima", "Guanajuato" or "remote Greek islands".'),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "country", "locality"], name="place_unique_per_program"
            ),
        ]
        indexes = [models.Index(fields=["country"], name="place_country_idx")]

    def __str__(self):
        if self.locality:
            return f"{self.locality}, {self.country.name}"
        return str(self.country.name)


class Contact(models.Model):
    """A person to ask about the program. E-mail and phone only where the program gave them."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("program")
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True, default="")
    email = models.EmailField(_("e-mail"), blank=True, default="")
    phone = models.CharField(_("phone"), max_length=50, blank=True, default="")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return f"{self.name} ({self.program})"


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


class Period(models.TextChoices):
    PER_MISSION = "per-mission", _("per mission")
    PER_YEAR = "per-year", _("per year")
    UNSPECIFIED = "unspecified", _("unspecified")


class StaffingRequirement(models.Model):
    """How many people in one role a program needs, with the program's own wording."""

    Role = Role
    Period = Period

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="staffing_requirements",
        verbose_name=_("program"),
    )
    role = models.CharField(_("role"), max_length=40, choices=Role)
    min_count = models.PositiveSmallIntegerField(
        _("at least"), null=True, blank=True, help_text=_("Empty when not given.")
    )
    max_count = models.PositiveSmallIntegerField(
        _("at most"), null=True, blank=True, help_text=_("Empty when open-ended.")
    )
    period = models.CharField(
        _("period"), max_length=20, choices=Period, default=Period.UNSPECIFIED
    )
    accepts_trainees = models.BooleanField(
        _("trainees accepted"),
        default=False,
        help_text=_("Residents or other trainees can fill this role."),
    )
    wording = models.CharField(
        _("as worded by the organization"),
        max_length=300,
        blank=True,
        default="",
        help_text=_('For example "2-6 per mission" or "as many as possible".'),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("staffing requirement")
        verbose_name_plural = _("staffing requirements")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="staffing_role_valid"),
            models.CheckConstraint(
                condition=Q(period__in=Period.values), name="staffing_period_valid"
            ),
            models.CheckConstraint(
                condition=Q(min_count__isnull=True) | Q(min_count__gte=1),
                name="staffing_min_count_positive",
            ),
            models.CheckConstraint(
                condition=Q(min_count__isnull=True)
                | Q(max_count__isnull=True)
                | Q(min_count__lte=F("max_count")),
                name="staffing_min_lte_max",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.wording or self.count_display}"

    @property
    def count_display(self):
        low, high = self.min_count, self.max_count
        if low and high and low != high:
            return f"{low}–{high}"
        if low and high:
            return str(low)
        if low:
            return f"{low}+"
        if high:
            return _("up to %(count)s") % {"count": high}
        return ""


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
