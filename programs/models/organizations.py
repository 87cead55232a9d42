from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..search import is_postgresql
from .base import NaturalKeyManager


def name_is(lookup, text):
    """A condition on an organization's name, as typed by someone who may leave out the
    accents: "Mision" is "Misión" on PostgreSQL (unaccent, migration 0009). SQLite compares
    the letters as they are, and ignores the case of ASCII letters only."""
    field = "name__unaccent" if is_postgresql() else "name"
    return Q(**{f"{field}__{lookup}": text})


class OrganizationQuerySet(models.QuerySet):
    def with_published_programs(self):
        """Organizations that have at least one published program: the public ones."""
        from .programs import Program

        return self.filter(Exists(Program.objects.published().filter(organization=OuterRef("pk"))))

    def named(self, name):
        """The one organization called `name`, whatever the case (and the accents, on
        PostgreSQL), or None: also when several are, as a name typed cannot say which."""
        found = list(self.filter(name_is("iexact", name))[:2])
        return found[0] if len(found) == 1 else None

    def suggested_for(self, text, limit=10):
        """The names of public organizations that contain `text`, whatever the case (and the
        accents, on PostgreSQL): those that start with it first.

        The names are sorted and cut first, and only the first few times `limit` are then
        asked whether they have a published program: asked of every organization whose name
        matched, PostgreSQL gathered every published program's organization first (70 ms at
        100,000 programs for a name's first letters). An organization with no published
        program is rare (only pending or rejected ones), so the first few times `limit`
        names give `limit` public ones."""
        order = [Case(When(name_is("istartswith", text), then=0), default=1), "name"]
        first = self.filter(name_is("icontains", text)).order_by(*order).values("pk")
        return (
            self.filter(pk__in=first[: limit * 5])
            .with_published_programs()
            .order_by(*order)
            .values_list("name", flat=True)
            .distinct()[:limit]
        )


class Organization(models.Model):
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

    def natural_key(self):
        return (self.slug,)
