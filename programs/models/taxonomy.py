from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .base import NaturalKeyManager
from .choices import ProgramStatus


class SpecialtyQuerySet(models.QuerySet):
    def with_program_counts(self):
        """Annotate `program_count`, the number of published programs in each specialty."""
        return self.annotate(
            program_count=Count(
                "programs",
                filter=Q(programs__status=ProgramStatus.PUBLISHED),
                distinct=True,
            )
        )


class Specialty(models.Model):
    """One entry of the curated taxonomy of surgical needs (cleft lip and palate, noma...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True, default="")
    synonyms = models.TextField(
        _("other names"),
        blank=True,
        default="",
        help_text=_(
            "Other words people search with, in any language, e.g. “brûlures, Verbrennungen”."
        ),
    )
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

    def natural_key(self):
        return (self.slug,)
