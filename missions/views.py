"""Public pages of missions and impact. Each view's queryset starts from `published()`: a
mission or figure of a program that is not published is a 404 or absent everywhere."""

import datetime

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView
from django_countries import countries
from django_countries.fields import Country

from directory.pagecache import CachedPageMixin
from programs.facets import DirectorySummary, most_programs
from programs.models import Program, Specialty
from programs.search import country_sort_key
from programs.views import ForgivingPaginationMixin, NarrowPagePaginator, country_list

from . import calendars, charts, maps
from .filters import MissionFilter
from .models import ImpactFigure, Metric, Mission

MISSIONS_PER_PAGE = 25
RECENT_PAST = 5


# Figures listed on /impact/ (every one still counts in the totals and charts).
FIGURES_SHOWN = 20


class MissionListView(ForgivingPaginationMixin, CachedPageMixin, ListView):
    template_name = "missions/mission_list.html"
    context_object_name = "missions"
    paginate_by = MISSIONS_PER_PAGE
    # The page's missions are sorted and cut on their ids, then loaded with their programs:
    # joined first, every published program's wide row was read to show 25 missions.
    paginator_class = NarrowPagePaginator
    query_parameters = frozenset([*MissionFilter.base_filters, "page"])

    def get_queryset(self):
        self.filterset = MissionFilter(
            self.request.GET, queryset=Mission.objects.published().for_listing()
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        problems = list(filterset.problems)
        if self.page_problem:
            problems.append(self.page_problem)
        selected = filterset.selected()
        context.update(
            filterset=filterset,
            form=filterset.form,
            when=filterset.chosen_when,
            problems=problems,
            selected=selected,
            result_count=context["paginator"].count,
            filter_specialties=Specialty.objects.all(),
            filter_countries=sorted(
                (Country(code=code) for code in Mission.objects.active().country_codes()),
                key=country_sort_key,
            ),
            calendars=self.calendar_links(selected),
        )
        if filterset.chosen_when == "upcoming":
            past = filterset.past()
            # Cut on the ids first, as the page is (0.16 s at 100,000 programs otherwise).
            context["recent_past"] = list(past.filter(pk__in=past.values("pk")[:RECENT_PAST]))
        return context

    def calendar_links(self, selected):
        """The calendars matching the filters chosen: all missions, and one per country or
        specialty picked."""
        links = [(_("All missions"), reverse("missions:calendar"))]
        for code in sorted(selected["country"]):
            links.append(
                (
                    _("Missions in %(country)s") % {"country": countries.name(code)},
                    reverse("missions:calendar-country", kwargs={"code": code.lower()}),
                )
            )
        for specialty in self.filterset.form.cleaned_data.get("specialty") or []:
            links.append(
                (
                    _("%(specialty)s missions") % {"specialty": specialty.name},
                    reverse("missions:calendar-specialty", kwargs={"slug": specialty.slug}),
                )
            )
        return links


class MissionDetailView(CachedPageMixin, DetailView):
    """A mission of a published program. A cancelled one keeps its page, marked cancelled:
    calendars that imported it link here."""

    queryset = Mission.objects.published().for_listing()
    template_name = "missions/mission_detail.html"
    context_object_name = "mission"


# --- Calendars ----------------------------------------------------------------------------


class MissionCalendarView(CachedPageMixin, View):
    """All dated missions of published programs as iCalendar; subclasses narrow them."""

    filename = "missions.ics"
    # A subscribed calendar carries what is coming and the past year, not the whole history:
    # calendar apps fetch it again and again, and it would only grow.
    history_days = 365

    def get_missions(self):
        return Mission.objects.published().dated()

    def get_name(self):
        return _("Humanitarian surgery missions")

    def get(self, request, *args, **kwargs):
        since = timezone.localdate() - datetime.timedelta(days=self.history_days)
        missions = (
            self.get_missions()
            .filter(end_on__gte=since)
            # What an event says, and no more: a feed can hold thousands of missions.
            .only(*calendars.MISSION_FIELDS)
            .annotate(**calendars.MISSION_NAMES)
            .order_by("start_on", "pk")
        )
        body = calendars.build_calendar(missions, name=self.get_name(), request=request)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{self.filename}"'
        return response


class ProgramCalendarView(MissionCalendarView):
    def get(self, request, *args, slug, **kwargs):
        self.program = get_object_or_404(Program.objects.published(), slug=slug)
        self.filename = f"{slug}.ics"
        return super().get(request, *args, **kwargs)

    def get_missions(self):
        return super().get_missions().filter(program=self.program)

    def get_name(self):
        return _("Missions of %(program)s") % {"program": self.program.name}


class CountryCalendarView(MissionCalendarView):
    def get(self, request, *args, code, **kwargs):
        if code != code.lower() or code.upper() not in countries:
            raise Http404(_("No country has the code “%(code)s”.") % {"code": code[:10]})
        self.country = Country(code=code.upper())
        self.filename = f"missions-{code}.ics"
        return super().get(request, *args, **kwargs)

    def get_missions(self):
        return super().get_missions().in_countries([self.country.code])

    def get_name(self):
        return _("Missions in %(country)s") % {"country": self.country.name}


class SpecialtyCalendarView(MissionCalendarView):
    def get(self, request, *args, slug, **kwargs):
        self.specialty = get_object_or_404(Specialty, slug=slug)
        self.filename = f"missions-{slug}.ics"
        return super().get(request, *args, **kwargs)

    def get_missions(self):
        return super().get_missions().in_specialties([self.specialty.slug])

    def get_name(self):
        return _("%(specialty)s missions") % {"specialty": self.specialty.name}


# --- Impact -------------------------------------------------------------------------------


class ImpactForm(forms.Form):
    """Which figure the breakdowns show."""

    metric = forms.ChoiceField(
        label=gettext_lazy("Show the breakdowns of"),
        choices=[(m.value, m.label) for m in Metric.additive()],
        required=False,
    )


DEFAULT_METRIC = Metric.SURGERIES


def figure_display(total, lower):
    value = number_format(total, force_grouping=True)
    return _("more than %(value)s") % {"value": value} if lower else value


def short_display(total, lower):
    """For the chart's bars, where "more than 326,438" does not fit: "326,438+"."""
    value = number_format(total, force_grouping=True)
    return f"{value}+" if lower else value


class ImpactView(CachedPageMixin, TemplateView):
    template_name = "missions/impact.html"
    query_parameters = frozenset(ImpactForm.base_fields)

    def get_context_data(self, **kwargs):
        form = ImpactForm(self.request.GET)
        metric = (form.is_valid() and form.cleaned_data["metric"]) or DEFAULT_METRIC
        metric = Metric(metric)
        problems = [
            _("%(label)s was ignored: %(error)s")
            % {"label": form.fields[name].label, "error": error}
            for name, errors in form.errors.items()
            for error in errors
        ]
        figures = ImpactFigure.objects.all()
        # A page, not a data dump: the first figures, and how many there are in all.
        shown, figures_total = (
            figures.published().order_by("position", "pk").first_with_total(FIGURES_SHOWN)
        )
        sums = figures.sums()
        totals = sums.totals()
        total, lower = totals.get(metric, (0, False))
        published = Program.objects.published()
        country_counts = DirectorySummary().countries
        map_countries, hidden_countries = most_programs(country_list(country_counts), ())
        return super().get_context_data(
            form=form,
            metric=metric,
            problems=problems,
            totals=[
                (m, m.label, figure_display(*totals[m])) for m in Metric.additive() if m in totals
            ],
            charts=self.breakdown_charts(sums, metric, figure_display(total, lower)),
            figures=shown,
            figures_total=figures_total,
            directory={
                **published.totals(),
                "countries": len(country_counts),
                "missions": Mission.objects.active().count(),
            },
            world_map=maps.program_map(country_counts),
            # The table beside the map: the countries with most programs; /countries/ has all.
            map_countries=map_countries,
            hidden_countries=hidden_countries,
            **kwargs,
        )

    def breakdown_charts(self, sums, metric, total_display):
        label = metric.label
        by_country = sorted(
            sums.breakdown(metric, "country"),
            key=lambda row: (
                not row[0],
                -row[1],
                country_sort_key(Country(row[0])) if row[0] else (0, ""),
            ),
        )
        by_specialty = sorted(
            sums.breakdown(metric, "specialty"),
            key=lambda row: (row[0] is None, -row[1], str(row[3] or "")),
        )
        by_year = sorted(
            sums.breakdown(metric, "year"), key=lambda row: (row[0] is None, row[0] or 0)
        )
        return [
            charts.bar_chart(
                "by-country",
                title=_("%(metric)s by country") % {"metric": label},
                caption=_("%(metric)s by country, where a figure is about one country")
                % {"metric": label},
                header=_("Country"),
                value_header=label,
                total_display=total_display,
                rows=[
                    (
                        Country(code=key).name if key else _("Several countries or not given"),
                        value,
                        figure_display(value, lower),
                        short_display(value, lower),
                        reverse("programs:country", kwargs={"code": key.lower()}) if key else "",
                    )
                    for key, value, lower, _name in by_country
                ],
            ),
            charts.bar_chart(
                "by-specialty",
                title=_("%(metric)s by specialty") % {"metric": label},
                caption=_("%(metric)s by specialty, where a figure is about one specialty")
                % {"metric": label},
                header=_("Specialty"),
                value_header=label,
                total_display=total_display,
                rows=[
                    (
                        name or _("Several specialties or not given"),
                        value,
                        figure_display(value, lower),
                        short_display(value, lower),
                        reverse("programs:specialty", kwargs={"slug": key}) if key else "",
                    )
                    for key, value, lower, name in by_specialty
                ],
            ),
            charts.bar_chart(
                "by-year",
                title=_("%(metric)s by year") % {"metric": label},
                caption=_("%(metric)s by the year a figure’s period ends") % {"metric": label},
                header=_("Year"),
                value_header=label,
                total_display=total_display,
                rows=[
                    (
                        str(key) if key else _("Up to now, or not given"),
                        value,
                        figure_display(value, lower),
                        short_display(value, lower),
                        "",
                    )
                    for key, value, lower, _name in by_year
                ],
            ),
        ]
