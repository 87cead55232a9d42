from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..search import TokenConditions


class SearchEntryQuerySet(TokenConditions, models.QuerySet):
    document_field = "vector"


class SearchEntry(models.Model):
    """PostgreSQL: a published program's search document, alone in a narrow table.

    A search that matches a seventh of a large directory must rank every match to find the
    best 25. Read from the programs table, each match costs a visit to a wide row and its
    document out of line (TOAST); here a row is the document, the name the ties are sorted by,
    the filter tokens and the id, about a kilobyte. The list ranks and counts a search here (in
    relevance order, ProgramFilter.entries()) and reads the 25 programs shown from their own
    table; the filter panel counts its options here.

    Written only by database triggers on the programs table (migration 0005): a program has
    an entry exactly while it is published, with its name, search_vector and search_filters,
    whatever changes it (a save, update(), loaddata, a migration, SQL). Deleting a program
    deletes its entry. SQLite has no triggers here and no use for the table: it stays empty."""

    program = models.OneToOneField(
        "programs.Program",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_entry",
        verbose_name=_("program"),
    )
    name = models.CharField(_("name"), max_length=200)
    vector = SearchVectorField(null=True)
    # The program's filter tokens, space-separated (Program.search_filters): what the facets
    # count (programs.facets.EntryCounts).
    filters = models.TextField(_("filter tokens"), blank=True, default="")

    objects = SearchEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")

    def __str__(self):
        return self.name


class FilterCountQuerySet(models.QuerySet):
    def as_dict(self):
        """{token: number of published programs with it}; "" gives the number of them all."""
        return dict(self.values_list("token", "programs"))


class FilterCount(models.Model):
    """PostgreSQL: how many published programs carry each filter token ("=cPE": 41), and
    under the token "" how many there are at all.

    The whole directory's facet counts (the unfiltered list's panel, the home page's
    countries, regions and specialties) are then a read of a few hundred rows instead of a
    pass over every program. Kept by database triggers on the programs table (migration
    0006), once per statement over the rows it wrote: a program counts while it is published,
    with its search_filters (exactly when and as it has a search entry), in the transaction
    that writes it, so the counts are never behind the programs. A token no program carries
    any more stays, at zero. SQLite keeps no rows (nor entries)."""

    token = models.TextField(_("token"), primary_key=True)
    programs = models.IntegerField(_("programs"), default=0)

    objects = FilterCountQuerySet.as_manager()

    class Meta:
        verbose_name = _("filter count")
        verbose_name_plural = _("filter counts")

    def __str__(self):
        return f"{self.token}: {self.programs}"
