"""
Facet counts of the program list: beside each filter option, how many programs choosing it
would give, with the other active filters applied ("Guatemala (2)").

Each facet is counted over the list as filtered by everything except that facet itself, so
ticking a second country shows what it adds. A fixed number of queries, whatever the number
of programs or of active filters:

1. countries: one GROUP BY over the places;
2. specialties: every specialty of the taxonomy with its count, one query;
3. regions, roles, frequencies and trainees: one aggregate of conditional counts, where each
   count applies the other active filters of this group as conditions;
4. the countries to offer at all (those with a published program), one query, only when
   other filters could have hidden some.
"""

from django.db.models import Count, Q

from .models import Frequency, Program, Role, Specialty
from .models.programs import has_place_in, needs_one_of, takes_trainees
from .regions import REGIONS, REGIONS_BY_SLUG

# The facets counted together in one aggregate, and the condition each value puts on a
# program.
AGGREGATED = ["region", "role", "frequency", "trainees"]


def _condition(name, value):
    """The filter `name`=`value` (its cleaned value) as a condition on a program."""
    if name == "region":
        codes = set().union(*(REGIONS_BY_SLUG[slug].countries for slug in value))
        return Q(has_place_in(codes))
    if name == "role":
        return Q(needs_one_of(value))
    if name == "frequency":
        return Q(frequency__in=value)
    if name == "trainees":
        return Q(takes_trainees()) if value else ~Q(takes_trainees())
    raise ValueError(name)


class Facets:
    """Counts for the filter panel of `filterset` (a bound, validated ProgramFilter)."""

    def __init__(self, filterset):
        self.filterset = filterset
        filterset.is_valid()
        self.values = {
            name: value
            for name, value in filterset.form.cleaned_data.items()
            if name not in ("sort",) and value not in (None, "", [], ())
        }
        if "q" in self.values and not self.values["q"].strip():
            del self.values["q"]

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

        counts = self._base("country").country_counts()
        if set(self.values) - {"country"}:
            # Other filters may have hidden countries: offer them all, at zero.
            every = Program.objects.published().country_counts()
            counts = {code: counts.get(code, 0) for code in every}
        return country_list(counts)

    def specialties(self):
        """Every specialty of the taxonomy, annotated with `facet_count`."""
        base = self._base("specialty")
        return Specialty.objects.annotate(
            facet_count=Count("programs", filter=Q(programs__in=base.values("pk")), distinct=True)
        ).order_by("position", "name")

    def grouped(self):
        """{facet: {value: count}} for regions, roles, frequencies and trainees."""
        base = self._base(*AGGREGATED)
        active = {name: self.values[name] for name in AGGREGATED if name in self.values}
        options = {
            "region": [(region.slug, [region.slug]) for region in REGIONS],
            "role": [(role, [role]) for role in Role.values],
            "frequency": [(frequency, [frequency]) for frequency in Frequency.values],
            "trainees": [("yes", True)],
        }
        aggregates = {}
        for name, choices in options.items():
            others = Q()
            for other, value in active.items():
                if other != name:
                    others &= _condition(other, value)
            for key, value in choices:
                aggregates[f"{name}__{key}"] = Count("pk", filter=others & _condition(name, value))
        totals = base.aggregate(**aggregates)
        counts = {name: {} for name in options}
        for alias, count in totals.items():
            name, key = alias.split("__", 1)
            counts[name][key] = count
        return counts
