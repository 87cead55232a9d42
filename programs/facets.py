"""
Facet counts of the program list: beside each filter option, how many programs choosing it
would give, with the other active filters applied ("Guatemala (2)").

Each facet is counted over the list as filtered by everything except that facet itself, so
ticking a second country shows what it adds. A fixed number of queries, whatever the number
of programs or of active filters:

1. countries: one GROUP BY over the places of the matching programs;
2. specialties: one GROUP BY over the matching programs' links to the taxonomy;
3. regions: one pass over the places; roles, trainees, frequencies and the list's own
   total: one pass over the staffing rows;
4. the countries to offer at all (those with a published program) and the taxonomy: kept in
   the cache with the page cache's content version, so they are read again only after a
   change.

Each counts rows of the programs under the other filters only, so a narrow search costs little
however large the directory.
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.functional import cached_property

from .filters import taxonomy
from .models import Frequency, Place, Program, Role, StaffingRequirement
from .regions import REGIONS


@dataclass(frozen=True)
class SpecialtyOption:
    slug: str
    name: str
    facet_count: int


def offered_countries():
    """The codes of the countries with a published program: the country filter's options.
    Kept until the content changes (the page cache's content version)."""
    from directory.pagecache import versioned

    return versioned(
        "facets:countries",
        lambda: sorted(
            Place.objects.filter(program__status=Program.Status.PUBLISHED)
            .values_list("country", flat=True)
            .distinct()
            .order_by()
        ),
    )


# Lists of countries (the country filter, the home and impact pages) show this many, those
# with most programs and any ticked, and link to all of them.
MOST_COUNTRIES = 24


def most_programs(options, keep, limit=MOST_COUNTRIES):
    """Of `options` [(Country, count)]: the `limit` with most programs and every one in
    `keep` (the ticked ones), in their given order, and how many others have programs.

    At a few hundred countries the full list is most of a list page's weight; the rest is a
    link away ("All countries")."""
    with_programs = [i for i, (_, count) in enumerate(options) if count]
    if len(with_programs) <= limit:
        return options, 0
    top = set(sorted(with_programs, key=lambda i: -options[i][1])[:limit])
    shown = [i for i, (country, _) in enumerate(options) if i in top or country.code in keep]
    return [options[i] for i in shown], len(set(with_programs) - set(shown))


class Facets:
    """Counts for the filter panel of `filterset` (a bound, validated ProgramFilter)."""

    def __init__(self, filterset):
        self.filterset = filterset
        filterset.is_valid()
        # The filters in use: a value given, or "no" for trainees. (An empty specialty choice
        # is an empty queryset, which is falsy without a query.)
        self.values = {
            name: value
            for name, value in filterset.form.cleaned_data.items()
            if name != "sort" and (value is False or (value and str(value).strip()))
        }

    def _base(self, *without):
        """The published programs under every active filter but `without`."""
        queryset = self.filterset.queryset.order_by()
        for name, value in self.values.items():
            if name not in without:
                queryset = self.filterset.filters[name].filter(queryset, value)
        return queryset

    def countries(self):
        """[(Country, count)] of every country with a published program, by name."""
        from .views import country_list

        # Counted over the places of the programs under the other filters only (a search
        # matching fifty programs reads their places, not every place of the directory); the
        # countries they leave out are offered at zero.
        rows = (
            Place.objects.filter(program__in=self._base("country").values("pk"))
            .values_list("country")
            .annotate(n=Count("program", distinct=True))
            .order_by()
        )
        counts = dict(rows)
        return country_list({code: counts.get(code, 0) for code in offered_countries()})

    def specialties(self):
        """Every specialty of the taxonomy (slug, name, facet_count), in the taxonomy's order."""
        # As for countries: counted over the links of the matching programs only.
        links = Program.specialties.through.objects.filter(
            program__in=self._base("specialty").values("pk")
        )
        counts = dict(
            links.values_list("specialty_id")
            .annotate(n=Count("program_id", distinct=True))
            .order_by()
        )
        return [SpecialtyOption(slug, name, counts.get(pk, 0)) for pk, slug, name in taxonomy()]

    @cached_property
    def _regions(self):
        aggregates = {
            region.slug: Count("pk", distinct=True, filter=Q(places__country__in=region.countries))
            for region in REGIONS
        }
        return self._base("region").aggregate(**aggregates)

    @cached_property
    def _roles(self):
        """Roles, trainees, frequencies and the list's total in one pass over the staffing
        rows of the programs under every filter but these three; the role, trainee and
        frequency filters in use are applied inside each count instead, so that each facet
        ignores only itself."""
        # Inside an aggregate the conditions are uncorrelated subqueries (a hashed set on
        # PostgreSQL), not EXISTS with an outer reference.
        role_filter = Q()
        if "role" in self.values:
            wanted = set().union(*(Role.fits(role) for role in self.values["role"]))
            role_filter = Q(
                pk__in=StaffingRequirement.objects.filter(role__in=wanted).values("program_id")
            )
        trainees = self.values.get("trainees")
        trainee_filter = Q()
        if trainees is not None:
            with_trainees = Q(
                pk__in=StaffingRequirement.objects.filter(accepts_trainees=True).values(
                    "program_id"
                )
            )
            trainee_filter = with_trainees if trainees else ~with_trainees
        frequency_filter = Q()
        if "frequency" in self.values:
            frequency_filter = Q(frequency__in=self.values["frequency"])
        aggregates = {
            role: Count(
                "pk",
                distinct=True,
                filter=Q(staffing_requirements__role__in=Role.fits(role))
                & trainee_filter
                & frequency_filter,
            )
            for role in Role.values
        }
        aggregates["__trainees"] = Count(
            "pk",
            distinct=True,
            filter=Q(staffing_requirements__accepts_trainees=True) & role_filter & frequency_filter,
        )
        for frequency in Frequency.values:
            aggregates[f"__frequency:{frequency}"] = Count(
                "pk", distinct=True, filter=Q(frequency=frequency) & role_filter & trainee_filter
            )
        aggregates["__total"] = Count(
            "pk", distinct=True, filter=role_filter & trainee_filter & frequency_filter
        )
        return self._base("role", "trainees", "frequency").aggregate(**aggregates)

    @property
    def _frequencies(self):
        prefix = "__frequency:"
        return {k[len(prefix) :]: v for k, v in self._roles.items() if k.startswith(prefix)}

    def total(self):
        """The number of programs in the list, counted in the roles' pass: the list needs no
        COUNT query of its own."""
        return self._roles["__total"]

    def grouped(self):
        """{facet: {value: count}} for regions, roles, frequencies and trainees. Each is a
        single pass over a join (places, staffing) or a GROUP BY: a correlated EXISTS per
        option and program would cost far more at ten thousand programs."""
        roles = {k: v for k, v in self._roles.items() if not k.startswith("__")}
        regions = {k: v for k, v in self._regions.items() if not k.startswith("__")}
        return {
            "region": regions,
            "role": roles,
            "frequency": self._frequencies,
            "trainees": {"yes": self._roles["__trainees"]},
        }
