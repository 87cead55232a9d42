"""
The filters of the program list, driven by the URL so that every result can be shared.

Parameters: q, country (several), specialty (several), role (several), frequency (several),
region (several), trainees, sort, page. A parameter that does not validate is left out and
explained to the visitor (see `ProgramFilter.problems`); it never causes an error page.
"""

import functools

import django_filters
from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import Frequency, Program, Role, SearchEntry, Specialty
from .regions import REGION_CHOICES, REGIONS_BY_SLUG
from .search import is_postgresql, look_up, query_words

# Sorting only from this fixed list: value -> (label, ordering).
SORTS = {
    "name": (_("Name"), ("name", "pk")),
    "newest": (_("Newest first"), ("-published_at", "name", "pk")),
    "verified": (
        _("Recently verified"),
        (F("last_verified_on").desc(nulls_last=True), "name", "pk"),
    ),
    "organization": (_("Organization"), ("organization__name", "name", "pk")),
    # Only with a search (`q`), and then the default.
    "relevance": (_("Best match"), ("-search_rank", "name", "pk")),
}
DEFAULT_SORT = "name"


class CountryCodesField(forms.MultipleChoiceField):
    """ISO 3166-1 alpha-2 codes; "pe" is read as "PE"."""

    default_error_messages = {
        "invalid_choice": _(
            "“%(value)s” is not a country code we know (use two letters, e.g. PE)."
        ),
    }

    def to_python(self, value):
        return [str(v).strip().upper() for v in super().to_python(value)]


class TruthField(forms.Field):
    """A yes/no parameter that reads the spellings people type in URLs."""

    TRUE = {"1", "true", "yes", "on"}
    FALSE = {"0", "false", "no", "off"}
    default_error_messages = {"invalid": _("Use “yes” or “no”.")}

    def to_python(self, value):
        value = str(value or "").strip().lower()
        if value in self.TRUE:
            return True
        if value in self.FALSE:
            return False
        if value:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return None


class TruthFilter(django_filters.Filter):
    field_class = TruthField


class CountryCodesFilter(django_filters.MultipleChoiceFilter):
    field_class = CountryCodesField


@functools.cache
def country_code_choices():
    """Every country code as a choice. Only the codes are validated (the panel lists the
    countries with their names, programs.facets): a list built once, where django-countries'
    own choices translate and sort every name each time a form is built."""
    return [(code, code) for code in countries.countries]


def taxonomy():
    """[(pk, slug, name)] of every specialty in the taxonomy's order, kept in the cache until
    the content changes: validating a parameter or listing the facet costs no query."""
    from directory.pagecache import versioned

    return versioned(
        "taxonomy",
        lambda: list(
            Specialty.objects.order_by("position", "name").values_list("pk", "slug", "name")
        ),
    )


def specialty_choices():
    return [(slug, name) for _pk, slug, name in taxonomy()]


class ProgramFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        max_length=200,
        help_text=_("Program, organization, place or need, e.g. “cleft Guatemala”."),
    )
    country = CountryCodesFilter(
        label=_("Country"), choices=country_code_choices, method="filter_country"
    )
    region = django_filters.MultipleChoiceFilter(
        label=_("Region"), choices=REGION_CHOICES, method="filter_region"
    )
    specialty = django_filters.MultipleChoiceFilter(
        label=_("Specialty"),
        # The taxonomy's slugs, kept in the cache until the content changes: validating a
        # parameter costs no query.
        choices=lambda: specialty_choices(),
        method="filter_specialty",
    )
    role = django_filters.MultipleChoiceFilter(
        label=_("Your role"),
        choices=Role.choices,
        method="filter_role",
        help_text=_("Programs that need someone like you."),
    )
    frequency = django_filters.MultipleChoiceFilter(
        label=_("Frequency"), choices=Frequency.choices, method="filter_frequency"
    )
    trainees = TruthFilter(label=_("Residents and trainees welcome"), method="filter_trainees")
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[(key, label) for key, (label, _ordering) in SORTS.items()],
        method="filter_sort",
        empty_label=None,
    )

    class Meta:
        model = Program
        fields = []

    # A method per parameter keeps each rule next to its name; the queryset does the work.
    def filter_q(self, queryset, name, value):
        if not value.strip():
            return queryset
        # The facets apply this filter to several querysets: look the words up once.
        if not hasattr(self, "_spellings"):
            self._spellings = look_up(query_words(value)) if is_postgresql() else None
        return queryset.search(value, self._spellings)

    def filter_country(self, queryset, name, value):
        return queryset.in_countries(value) if value else queryset

    def filter_region(self, queryset, name, value):
        return queryset.in_regions(value) if value else queryset

    def filter_specialty(self, queryset, name, value):
        return queryset.in_specialties(value) if value else queryset

    def filter_role(self, queryset, name, value):
        return queryset.needing_roles(value) if value else queryset

    def filter_frequency(self, queryset, name, value):
        return queryset.with_frequencies(value) if value else queryset

    def filter_trainees(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.accepting_trainees() if value else queryset.not_accepting_trainees()

    def filter_sort(self, queryset, name, value):
        # Sorting is applied once, in `qs`, so that a missing `sort` sorts too.
        return queryset

    @property
    def qs(self):
        if not hasattr(self, "_sorted_qs"):
            self._sorted_qs = super().qs.order_by(*SORTS[self.sort_key][1])
        return self._sorted_qs

    def entries(self):
        """PostgreSQL, a search in order of relevance: the matches as rows of the narrow
        SearchEntry table, under the same filters and in the same order as `qs`, for ranking
        and cutting the page there (NarrowPagePaginator). None otherwise: other orders sort
        on the programs' own columns, and SQLite keeps no entries.

        Every parameter is a condition on the document's words and filter tokens, which the
        entry holds; it holds published programs only, so it stands for `qs` only over the
        published list as a whole (ProgramListView.ranks_entries)."""
        if not is_postgresql() or self.sort_key != "relevance":
            return None
        self.errors  # noqa: B018 - validates, as `qs` does
        entries = self.filter_queryset(SearchEntry.objects.all())
        return entries.order_by(*SORTS["relevance"][1])

    # --- What the page says about the filters ---------------------------------------------

    @property
    def search_words(self):
        """The normalized words of `q`, for ranking and highlighting."""
        self.is_valid()
        return query_words(self.form.cleaned_data.get("q") or "")

    @property
    def sort_key(self):
        self.is_valid()
        chosen = self.form.cleaned_data.get("sort")
        if self.search_words:
            return chosen or "relevance"
        return DEFAULT_SORT if chosen in (None, "", "relevance") else chosen

    @property
    def problems(self):
        """Plain-language notes on the parameters that were left out, for the page."""
        notes = []
        for name, errors in self.errors.items():
            label = self.form.fields[name].label if name in self.form.fields else name
            for error in errors:
                notes.append(
                    _("%(label)s was ignored: %(error)s") % {"label": label, "error": error}
                )
        return notes

    @functools.cached_property
    def _valid_values(self):
        """For each multi-valued parameter, {value as typed in the URL: label} of the values
        that validated. Once per request: the ticked boxes and the chips both ask."""
        self.is_valid()
        data = self.form.cleaned_data
        specialties = set(data.get("specialty") or [])
        return {
            "country": {c: countries.name(c) for c in data.get("country") or []},
            "region": {r: REGIONS_BY_SLUG[r].name for r in data.get("region") or []},
            # The taxonomy is a cache round trip: asked for only when a specialty is ticked.
            "specialty": (
                {slug: name for slug, name in specialty_choices() if slug in specialties}
                if specialties
                else {}
            ),
            "role": {r: Role(r).label for r in data.get("role") or []},
            "frequency": {f: Frequency(f).label for f in data.get("frequency") or []},
        }

    def selected(self):
        """The values that validated, per parameter, for ticking the form's boxes."""
        self.is_valid()
        selected = {param: set(labels) for param, labels in self._valid_values.items()}
        selected["trainees"] = self.form.cleaned_data.get("trainees")
        return selected

    def _querystring_without(self, param, raw_value):
        remaining = self.data.copy()
        remaining.setlist(param, [v for v in self.data.getlist(param) if v != raw_value])
        remaining.pop("page", None)
        return remaining.urlencode()

    def active_filters(self):
        """Each applied filter value as (label, querystring without it): removable chips."""
        if not self.is_bound:
            return []
        self.is_valid()
        data = self.form.cleaned_data
        chips = []
        if data.get("q", "").strip():
            chips.append(
                (
                    _("“%(text)s”") % {"text": data["q"].strip()},
                    self._querystring_without("q", self.data.get("q")),
                )
            )
        for param, labels in self._valid_values.items():
            for raw in self.data.getlist(param):
                key = raw.strip().upper() if param == "country" else raw
                if key in labels:
                    chips.append((labels[key], self._querystring_without(param, raw)))
        if data.get("trainees") is not None:
            label = _("Trainees welcome") if data["trainees"] else _("No trainees")
            chips.append((label, self._querystring_without("trainees", self.data.get("trainees"))))
        return chips
