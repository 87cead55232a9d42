"""What belongs to a program: its places, contacts and staffing requirements."""

from django.db import connections, models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .choices import Period, Role


class PlaceManager(models.Manager):
    def country_codes(self):
        """The codes of the countries of every place, of any program, in code order.

        Read as a loose index scan: from each code, the next one up in `place_country_idx`,
        one probe a country. SELECT DISTINCT read every place (36 ms at 100,000 programs,
        on each page of the admin's program list, for its country filter)."""
        connection = connections[self.db]
        table = connection.ops.quote_name(self.model._meta.db_table)
        sql = f"""
            WITH RECURSIVE codes(country) AS (
                SELECT min(country) FROM {table}
                UNION ALL
                SELECT (SELECT min(country) FROM {table} WHERE country > codes.country)
                FROM codes WHERE codes.country IS NOT NULL
            )
            SELECT country FROM codes WHERE country IS NOT NULL
        """  # noqa: S608 - the table's own name
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return [code for (code,) in cursor.fetchall()]


class Place(models.Model):
    """Where a program works: a country, and a city or region when it is known."""

    program = models.ForeignKey(
        "Program", on_delete=models.CASCADE, related_name="places", verbose_name=_("program")
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

    objects = PlaceManager()

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
        "Program", on_delete=models.CASCADE, related_name="contacts", verbose_name=_("program")
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True, default="")
    email = models.EmailField(_("e-mail"), blank=True, default="")
    phone = models.CharField(_("phone"), max_length=50, blank=True, default="")
    is_name_public = models.BooleanField(
        _("name may be published"),
        default=True,
        help_text=_("The person agreed to have their name shown on the program's page."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return f"{self.name} ({self.program})"


class StaffingRequirement(models.Model):
    """How many people in one role a program needs, with the program's own wording."""

    Role = Role
    Period = Period

    program = models.ForeignKey(
        "Program",
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
