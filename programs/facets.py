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

On PostgreSQL, over the whole list or a country's or a specialty's part of it, with a search
or with other than one filter, all of these counts come instead from one query over the
published programs' SearchEntry rows, each of which carries the program's filter tokens
(EntryCounts): a few hundred bytes a program instead of joins to places and staffing. With no
filter at all over the whole directory they are read from the number of programs with each
token, which the database keeps as programs change (DirectoryCounts, FilterCount): one
query of a few hundred rows. With one filter and no search over the whole directory, that
filter's own options come from the same kept counts and every other one from the entries the
filter leaves (OneFilterCounts). The home, countries and impact pages read their
whole-directory counts the same way (DirectorySummary).
"""

import functools
import operator
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q
from django.utils.functional import cached_property

from .filters import taxonomy
from .models import FilterCount, Frequency, Place, Program, Role, Specialty, StaffingRequirement
from .regions import REGIONS
from .search import (
    TAKES_TRAINEES,
    TOKEN_PREFIXES,
    filter_query,
    is_postgresql,
    token,
    wanted_tokens,
)


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


# The tokens each filter's own options are counted from.
TOKEN_KINDS = {**TOKEN_PREFIXES, "trainees": TAKES_TRAINEES}


class TokenCounts:
    """The panel's counts from {token: count} and the total (`_rows`, given by a subclass)."""

    def count(self, kind, value):
        return self._rows["token"].get(token(kind, value), 0)

    def roles(self):
        # A role's token is carried by every program one of its people can fill.
        return {role: self.count("role", role) for role in Role.values}

    def trainees(self):
        return self._rows["token"].get(TAKES_TRAINEES, 0)

    def total(self):
        return self._rows["total"]


class DirectoryCounts(TokenCounts):
    """PostgreSQL: the counts of the whole directory, no filter in use, read from the
    FilterCount rows that the database keeps as programs are published, changed and
    withdrawn: one query of a few hundred rows, whatever the number of programs."""

    @cached_property
    def _rows(self):
        tokens = FilterCount.objects.as_dict()
        return {"token": tokens, "total": tokens.get("", 0)}

    def of_kind(self, kind):
        """{value: count} of the values of `kind` that published programs have."""
        prefix = TOKEN_PREFIXES[kind]
        return {
            key[len(prefix) :]: count
            for key, count in self._rows["token"].items()
            if key.startswith(prefix) and count
        }


class DirectorySummary:
    """How many published programs each country, region and specialty has (those with none
    left out), as the home, countries and impact pages show them. On PostgreSQL read from
    the counts the database keeps (one query for all three), elsewhere each counted over the
    published programs when first asked for."""

    def __init__(self):
        self.kept = DirectoryCounts() if is_postgresql() else None

    @cached_property
    def countries(self):
        """{country code: programs}"""
        if self.kept:
            return self.kept.of_kind("country")
        return Program.objects.published().country_counts()

    @cached_property
    def regions(self):
        """{region slug: programs}"""
        if self.kept:
            return self.kept.of_kind("region")
        return {slug: n for slug, n in Program.objects.published().region_counts().items() if n}

    @cached_property
    def specialties(self):
        """{specialty slug: programs}"""
        if self.kept:
            return self.kept.of_kind("specialty")
        counts = Specialty.objects.with_program_counts().values_list("slug", "program_count")
        return {slug: n for slug, n in counts if n}

    def specialty_list(self, empty=False):
        """The specialties with published programs (`empty`: all of them) in the taxonomy's
        order, each with its `program_count`."""
        specialties = list(Specialty.objects.all())
        for specialty in specialties:
            specialty.program_count = self.specialties.get(specialty.slug, 0)
        return [specialty for specialty in specialties if empty or specialty.program_count]


class EntryCounts(TokenCounts):
    """PostgreSQL: every count of the panel in one query over `entries`, the SearchEntry rows
    of the view's part of the directory that match the search (`q`).

    Each other filter is a condition on a row's filter tokens, applied inside each count but
    that filter's own: a country's count ignores the country filter, and so on."""

    def __init__(self, values, entries):
        self.values = {name: value for name, value in values.items() if name != "q"}
        self.entries = entries
        if len(self.values) > 1:
            # A row counts only where it meets every filter in use but one at most: said to
            # the GIN index, so that narrow filters read few rows.
            queries = {name: filter_query(name, value) for name, value in self.values.items()}
            self.entries = entries.filter(
                vector=functools.reduce(
                    operator.or_,
                    (
                        functools.reduce(
                            operator.and_, [q for n, q in queries.items() if n != name]
                        )
                        for name in queries
                    ),
                )
            )

    def _condition(self, name, value):
        """The filter as SQL on a row's tokens `f`, and its params."""
        if name == "trainees":
            return ("%s = ANY(f)" if value else "NOT (%s = ANY(f))"), [TAKES_TRAINEES]
        return "f && %s::text[]", [wanted_tokens(name, value)]

    def _all_but(self, left_out=None):
        """SQL and params: every filter in use but `left_out`."""
        parts, params = [], []
        for name, value in self.values.items():
            if name != left_out:
                sql, more = self._condition(name, value)
                parts.append(sql)
                params += more
        return " AND ".join(parts) or "TRUE", params

    @cached_property
    def _rows(self):
        base, params = self.entries.values("filters").query.sql_with_params()
        params = list(params)
        all_sql, all_params = self._all_but()
        # The rows that meet every filter count for every option: each of their tokens.
        # (unnest() in the select list, not joined laterally: a fifth faster over thousands
        # of rows, measured at 100,000 programs.)
        parts = [
            "SELECT 'token', t, count(*) FROM "  # noqa: S608
            f"(SELECT unnest(f) AS t FROM m WHERE {all_sql}) AS u GROUP BY t"
        ]
        params += all_params
        # A row that fails one filter only counts for that filter's own options: a program
        # elsewhere than the ticked country still counts beside its own country.
        for name, value in self.values.items():
            own, own_params = self._condition(name, value)
            rest, rest_params = self._all_but(name)
            parts.append(
                "SELECT 'token', t, count(*) FROM "  # noqa: S608
                f"(SELECT unnest(f) AS t FROM m WHERE NOT ({own}) AND {rest}) AS u "
                "WHERE left(t, 2) = %s GROUP BY t"
            )
            params += [*own_params, *rest_params, TOKEN_KINDS[name]]
        parts.append(f"SELECT 'total', '', count(*) FROM m WHERE {all_sql}")  # noqa: S608
        params += all_params
        query = (
            "WITH m AS MATERIALIZED ("  # noqa: S608
            f"SELECT string_to_array(filters, ' ') AS f FROM ({base}) AS base) "
            + " UNION ALL ".join(parts)
        )
        rows = {"token": {}, "total": 0}
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            for kind, key, count in cursor.fetchall():
                if kind == "total":
                    rows["total"] = count
                else:
                    rows["token"][key] = rows["token"].get(key, 0) + count
        return rows


class OneFilterCounts(TokenCounts):
    """PostgreSQL, the whole directory under one filter and no search (a country ticked):
    the filter's own options are counted as if it were not in use, which is over the whole
    directory (DirectoryCounts); every other option over the programs the filter leaves,
    found by the GIN index (EntryCounts, no filter of its own). Two queries, the second
    reading only the matching entries."""

    def __init__(self, name, value, entries):
        self.name = name
        self.whole = DirectoryCounts()
        self.matching = EntryCounts({}, entries.filter(vector=filter_query(name, value)))

    def _counts_of(self, kind):
        return self.whole if kind == self.name else self.matching

    def count(self, kind, value):
        return self._counts_of(kind).count(kind, value)

    def trainees(self):
        return self._counts_of("trainees").trainees()

    def total(self):
        return self.matching.total()


class Facets:
    """Counts for the filter panel of `filterset` (a bound, validated ProgramFilter).
    `entries`, on PostgreSQL, are the SearchEntry rows of the filterset's base queryset
    (ProgramListView.scope()): the counts are then taken from them (EntryCounts), or, with no
    filter in use over the `whole` directory, from the counts the database keeps
    (DirectoryCounts)."""

    def __init__(self, filterset, entries=None, whole=False):
        self.filterset = filterset
        filterset.is_valid()
        # The filters in use: a value given, or "no" for trainees. (An empty specialty choice
        # is an empty queryset, which is falsy without a query.)
        self.values = {
            name: value
            for name, value in filterset.form.cleaned_data.items()
            if name != "sort" and (value is False or (value and str(value).strip()))
        }
        self.entries = None
        if entries is None:
            return
        if whole and not self.values:
            self.entries = DirectoryCounts()
        elif whole and len(self.values) == 1 and "q" not in self.values:
            ((name, value),) = self.values.items()
            self.entries = OneFilterCounts(name, value, entries)
        # One filter and no search over a part of the directory (a country ticked on a
        # specialty's page): three of the four passes below read only that filter's programs,
        # which costs less than reading every entry's tokens.
        elif "q" in self.values or len(self.values) != 1:
            if "q" in self.values:
                entries = filterset.filters["q"].filter(entries, self.values["q"])
            self.entries = EntryCounts(self.values, entries)

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

        if self.entries:
            return country_list(
                {code: self.entries.count("country", code) for code in offered_countries()}
            )
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
        if self.entries:
            return [
                SpecialtyOption(slug, name, self.entries.count("specialty", slug))
                for _pk, slug, name in taxonomy()
            ]
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
            wanted = Role.fitting(self.values["role"])
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
        if self.entries:
            return self.entries.total()
        return self._roles["__total"]

    def grouped(self):
        """{facet: {value: count}} for regions, roles, frequencies and trainees. Each is a
        single pass over a join (places, staffing) or a GROUP BY: a correlated EXISTS per
        option and program would cost far more at ten thousand programs."""
        if self.entries:
            counts = self.entries
            return {
                "region": {region.slug: counts.count("region", region.slug) for region in REGIONS},
                "role": counts.roles(),
                "frequency": {f: counts.count("frequency", f) for f in Frequency.values},
                "trainees": {"yes": counts.trainees()},
            }
        roles = {k: v for k, v in self._roles.items() if not k.startswith("__")}
        regions = {k: v for k, v in self._regions.items() if not k.startswith("__")}
        return {
            "region": regions,
            "role": roles,
            "frequency": self._frequencies,
            "trainees": {"yes": self._roles["__trainees"]},
        }
