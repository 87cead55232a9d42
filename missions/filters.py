"""
The filters of /missions/, driven by the URL so that every search can be shared.

Parameters: country (several), specialty (several), role (several), from and to (a month,
2027-03, or a day, 2027-03-15: the window the visitor can travel in), when (upcoming or
past), page. A parameter that does not validate is left out and explained to the visitor
(`MissionFilter.problems`); it never causes an error page.
"""

import calendar
import datetime
import re

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from programs.filters import CountryCodesFilter
from programs.models import Role, Specialty

from .models import Mission
from .models.missions import LATEST_FIRST, SOONEST_FIRST

WHEN = {"upcoming": _("Upcoming"), "past": _("Past")}
DEFAULT_WHEN = "upcoming"


class MonthOrDayField(forms.Field):
    """A month ("2027-03") or a day ("2027-03-15"). A month is read as its first day, or as
    its last day for the end of a window (`end_of_month`), so that "March to May" covers
    all of May."""

    MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
    DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
    default_error_messages = {
        "invalid": _("“%(value)s” is not a month or a day: use 2027-03 or 2027-03-15."),
    }

    def __init__(self, *, end_of_month=False, **kwargs):
        self.end_of_month = end_of_month
        super().__init__(**kwargs)

    def to_python(self, value):
        text = str(value or "").strip()
        if not text:
            return None
        try:
            if match := self.MONTH.match(text):
                year, month = int(match[1]), int(match[2])
                day = calendar.monthrange(year, month)[1] if self.end_of_month else 1
                parsed = datetime.date(year, month, day)
            elif match := self.DAY.match(text):
                parsed = datetime.date(int(match[1]), int(match[2]), int(match[3]))
            else:
                raise ValueError(text)
        except ValueError:  # also a month or day out of range
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": text[:20]}
            ) from None
        if not 1900 <= parsed.year <= 2200:
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": text[:20]}
            )
        return parsed


class MonthOrDayFilter(django_filters.Filter):
    field_class = MonthOrDayField


class MissionFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        first, last = data.get("from"), data.get("to")
        if first and last and last < first:
            # Neither end means anything alone here: both are left out.
            data.pop("from")
            self.add_error("to", forms.ValidationError(_("it is before “from”."), code="order"))
        return data


class MissionFilter(django_filters.FilterSet):
    country = CountryCodesFilter(label=_("Country"), choices=countries, method="filter_country")
    specialty = django_filters.ModelMultipleChoiceFilter(
        label=_("Specialty"),
        queryset=Specialty.objects.all(),
        to_field_name="slug",
        method="filter_specialty",
    )
    role = django_filters.MultipleChoiceFilter(
        label=_("Role needed"),
        choices=Role.choices,
        method="filter_role",
        help_text=_("Missions with places open for someone like you."),
    )
    # "from" is a Python keyword: declared under another name, renamed below.
    window_from = MonthOrDayFilter(label=_("From"), method="filter_window")
    to = MonthOrDayFilter(label=_("To"), method="filter_window", end_of_month=True)
    when = django_filters.ChoiceFilter(
        label=_("Missions"), choices=list(WHEN.items()), method="filter_when", empty_label=None
    )

    class Meta:
        model = Mission
        fields = []
        form = MissionFilterForm

    def filter_country(self, queryset, name, value):
        return queryset.in_countries(value) if value else queryset

    def filter_specialty(self, queryset, name, value):
        return queryset.in_specialties([s.slug for s in value]) if value else queryset

    def filter_role(self, queryset, name, value):
        return queryset.needing_roles(value) if value else queryset

    def filter_window(self, queryset, name, value):
        # Both ends are applied together, in `filtered`, once both are validated.
        return queryset

    def filter_when(self, queryset, name, value):
        # Applied in `qs`, so that a missing `when` lists upcoming missions.
        return queryset

    @property
    def filtered(self):
        """Every filter but `when`: the base of both the upcoming and the past list."""
        if not hasattr(self, "_filtered"):
            queryset = super().qs
            self.is_valid()
            first = self.form.cleaned_data.get("from")
            last = self.form.cleaned_data.get("to")
            if first or last:
                queryset = queryset.between(first, last)
            self._filtered = queryset
        return self._filtered

    def upcoming(self, today=None):
        return self.filtered.upcoming(today).order_by(*SOONEST_FIRST)

    def past(self, today=None):
        return self.filtered.past(today).order_by(*LATEST_FIRST)

    @property
    def qs(self):
        today = timezone.localdate()
        return self.past(today) if self.chosen_when == "past" else self.upcoming(today)

    @property
    def chosen_when(self):
        self.is_valid()
        return self.form.cleaned_data.get("when") or DEFAULT_WHEN

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

    def selected(self):
        """The values that validated, per parameter, for ticking the form's boxes."""
        self.is_valid()
        data = self.form.cleaned_data
        return {
            "country": set(data.get("country") or []),
            "specialty": {s.slug for s in data.get("specialty") or []},
            "role": set(data.get("role") or []),
        }


MissionFilter.base_filters["from"] = MissionFilter.base_filters.pop("window_from")
