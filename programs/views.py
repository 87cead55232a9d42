"""Public pages of the directory. Each view's queryset starts from Program.objects.published():
that is the security boundary, so a pending, rejected or archived program is a 404 everywhere."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, TemplateView
from django_countries import countries
from django_countries.fields import Country

from directory.abuse import RateLimit
from directory.pagecache import CachedPageMixin

from . import services
from .facets import DirectorySummary, Facets, most_programs
from .filters import ProgramFilter
from .forms import ContactForm
from .models import Organization, Program, SearchEntry, Specialty
from .regions import REGIONS, region_of
from .search import country_sort_key, is_postgresql, shared_country

CONTACT_LIMIT = RateLimit("contact", limit=settings.CONTACT_LIMIT, period=settings.CONTACT_WINDOW)


def country_list(counts):
    """[(Country, count)] sorted by the country's name in the visitor's language."""
    return sorted(
        ((shared_country(code), count) for code, count in counts.items()),
        key=lambda pair: country_sort_key(pair[0]),
    )


class HomeView(CachedPageMixin, TemplateView):
    template_name = "programs/home.html"

    def get_context_data(self, **kwargs):
        summary = DirectorySummary()
        all_countries = country_list(summary.countries)
        countries, hidden = most_programs(all_countries, ())
        return super().get_context_data(
            totals={
                **Program.objects.published().totals(),
                "countries": len(summary.countries),
            },
            specialties=summary.specialty_list(),
            map_countries=all_countries,
            countries=countries,
            hidden_countries=hidden,
            regions=[(region, summary.regions.get(region.slug, 0)) for region in REGIONS],
            **kwargs,
        )


class ForgivingPaginationMixin:
    """For list views: a page that does not exist shows the nearest one with a note
    (`page_problem`) instead of a 404, so a stale or mistyped link still lands somewhere
    useful. `known_count()` may give the number of rows when it is counted anyway."""

    def known_count(self):
        return None  # the paginator counts

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        known = self.known_count()
        if known is not None:
            # Counted already (by the facets); Paginator.count is a cached property.
            paginator.count = known
        raw = self.request.GET.get("page", "").strip()
        self.page_problem = None
        try:
            number = int(raw) if raw else 1
        except ValueError:
            number = 1
            self.page_problem = _("“%(page)s” is not a page number; showing page 1.") % {
                "page": raw[:20]
            }
        if number < 1 or number > paginator.num_pages:
            wanted, number = number, max(1, min(number, paginator.num_pages))
            self.page_problem = _(
                "There is no page %(wanted)s; showing page %(page)s of %(pages)s."
            ) % {"wanted": wanted, "page": number, "pages": paginator.num_pages}
        page = paginator.page(number)
        return paginator, page, page.object_list, page.has_other_pages()


class NarrowPagePaginator(Paginator):
    """Sorts and cuts the page on the programs' ids alone, then loads the page's rows in the
    same query: `WHERE id IN (SELECT id ... ORDER BY ... LIMIT 25)`. Sorting thousands of
    search matches by rank carries a few bytes a row instead of every column of the program
    and its organization; ranking and joining happen for the 25 shown.

    `ranked`, when given, is where the ids are sorted and cut instead: the same matches in the
    same order as rows of a narrower table (a search's SearchEntry rows)."""

    def __init__(self, object_list, per_page, *args, ranked=None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.ranked = object_list if ranked is None else ranked

    def page(self, number):
        # Paginator.page(), with the slice taken of `ranked`.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list.filter(pk__in=self.ranked[bottom:top].values("pk"))
        return self._get_page(rows, number, self)


class ProgramListView(ForgivingPaginationMixin, CachedPageMixin, ListView):
    """The searchable, filterable list. Subclasses narrow it (one country, one specialty,
    one organization) and keep the filters for the rest."""

    template_name = "programs/program_list.html"
    context_object_name = "programs"
    paginate_by = settings.PROGRAMS_PER_PAGE
    paginator_class = NarrowPagePaginator
    # Whether scope() applies to a search's SearchEntry rows as well as to programs: the
    # filter tokens (country, specialty) do, an organization does not.
    ranks_entries = True
    # "countries=all" shows every country among the filters, not only the commonest.
    query_parameters = frozenset([*ProgramFilter.base_filters, "page", "countries"])

    def scope(self, queryset):
        """The view's own part of the directory (all of it here)."""
        return queryset

    def is_whole_directory(self):
        return type(self).scope is ProgramListView.scope

    def get_base_queryset(self):
        return self.scope(Program.objects.published())

    def get_queryset(self):
        self.filterset = ProgramFilter(
            self.request.GET, queryset=self.get_base_queryset().for_listing(to_lists=True)
        )
        entries = None
        if is_postgresql() and self.ranks_entries:
            entries = self.scope(SearchEntry.objects.all())
        # Lazy: counted when the page asks.
        self.facets = Facets(self.filterset, entries, whole=self.is_whole_directory())
        return self.filterset.qs

    def known_count(self):
        return self.facets.total()

    def get_paginator(self, queryset, per_page, *args, **kwargs):
        entries = self.filterset.entries() if self.ranks_entries else None
        if entries is not None:
            kwargs["ranked"] = self.scope(entries)
        return super().get_paginator(queryset, per_page, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        chips = filterset.active_filters()
        problems = list(filterset.problems)
        if self.page_problem:
            problems.append(self.page_problem)
        context.update(
            filterset=filterset,
            form=filterset.form,
            chips=chips,
            problems=problems,
            sort=filterset.sort_key,
            search_words=filterset.search_words,
            selected=filterset.selected(),
            result_count=context["paginator"].count,
            **self.facet_context(),
        )
        if context["result_count"] == 0 and chips:
            context["widen"] = self.widening_suggestions(chips)
        return context

    def facet_context(self):
        facets = self.facets
        countries = facets.countries()
        hidden = 0
        all_countries = self.request.GET.get("countries") == "all"
        if not all_countries:
            ticked = self.filterset.selected().get("country", ())
            countries, hidden = most_programs(countries, ticked)
        more = self.request.GET.copy()
        more.pop("page", None)
        more["countries"] = "all"
        return {
            "filter_countries": countries,
            "all_countries": all_countries,
            "hidden_countries": hidden,
            "all_countries_query": more.urlencode(),
            "filter_specialties": facets.specialties(),
            "facet_counts": facets.grouped(),
        }

    def widening_suggestions(self, chips):
        """For an empty result: how many programs each single filter removal would give.
        One count per active filter, only on the empty page."""
        suggestions = []
        for label, querystring in chips:
            count = ProgramFilter(
                QueryDict(querystring), queryset=self.get_base_queryset()
            ).qs.count()
            if count:
                suggestions.append((label, querystring, count))
        return suggestions


class ProgramDetailView(CachedPageMixin, DetailView):
    queryset = Program.objects.published().for_detail()
    template_name = "programs/program_detail.html"
    context_object_name = "program"

    def get_context_data(self, **kwargs):
        program = self.object
        kwargs.setdefault("contact_form", ContactForm())
        return super().get_context_data(
            sibling_programs=list(
                Program.objects.published()
                .filter(organization_id=program.organization_id)
                .exclude(pk=program.pk)
                .only("name", "slug")
            ),
            contact_reaches_program=bool(services.contact_addresses(program)),
            **kwargs,
        )


class ProgramContactView(ProgramDetailView):
    """The contact form of a program's page posts here. Errors show the program's page again
    with everything typed; a sent message redirects back to it with a confirmation."""

    http_method_names = ["get", "post"]
    template_name = "programs/program_contact.html"
    # A page with a form (a CSRF token for one visitor) is never cached; the program's page,
    # which only links here, is.
    page_cache = False

    def post(self, request, *args, **kwargs):
        self.object = program = self.get_object()
        form = ContactForm(request.POST)
        if form.is_spam:
            return self.refuse(
                form,
                400,
                _(
                    "Your message was not sent: a field meant to stay empty was filled in, "
                    "which is what automated spam does (browsers' autofill sometimes does it too)."
                ),
            )
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(contact_form=form), status=400)
        if not CONTACT_LIMIT.hit(request):
            response = self.refuse(
                form,
                429,
                _(
                    "Your message was not sent: several messages came from your address "
                    "in the last hour."
                ),
            )
            response["Retry-After"] = str(settings.CONTACT_WINDOW)
            return response
        try:
            services.relay_contact_message(
                program,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                message=form.cleaned_data["message"],
                page_url=request.build_absolute_uri(program.get_absolute_url()),
            )
        except services.RelayFailed:
            form.add_error(
                None,
                ValidationError(
                    _("The message could not be sent just now. Please try again in a few minutes."),
                    code="relay_failed",
                ),
            )
            return self.render_to_response(self.get_context_data(contact_form=form), status=503)
        messages.success(
            request,
            _("Your message has been sent to %(program)s. A copy is on its way to %(email)s.")
            % {"program": program.name, "email": form.cleaned_data["email"]},
        )
        return redirect(program.get_absolute_url() + "#contact")

    def refuse(self, form, status, reason):
        """A page that says why nothing was sent, how else to reach the program, and gives
        back what the visitor wrote."""
        return self.response_class(
            request=self.request,
            template="programs/contact_refused.html",
            context={
                "program": self.object,
                "reason": reason,
                "rate_limited": status == 429,
                "message_text": form.data.get("message", "")[:5000],
            },
            status=status,
        )


class OrganizationDetailView(ProgramListView):
    template_name = "programs/organization_detail.html"

    def get(self, request, *args, **kwargs):
        self.organization = get_object_or_404(
            Organization.objects.with_published_programs(), slug=kwargs["slug"]
        )
        return super().get(request, *args, **kwargs)

    ranks_entries = False

    def scope(self, queryset):
        return queryset.filter(organization=self.organization)

    def get_context_data(self, **kwargs):
        return super().get_context_data(organization=self.organization, **kwargs)


class CountryDetailView(ProgramListView):
    template_name = "programs/country_detail.html"

    def get(self, request, *args, **kwargs):
        code = kwargs["code"]
        if code.upper() not in countries:
            raise Http404(_("No country has the code “%(code)s”.") % {"code": code[:10]})
        if code != code.lower():
            # One address per country page: /countries/pe/.
            url = reverse("programs:country", kwargs={"code": code.lower()})
            query = request.GET.urlencode()
            return redirect(f"{url}?{query}" if query else url, permanent=True)
        self.country = Country(code=code.upper())
        return super().get(request, *args, **kwargs)

    def scope(self, queryset):
        return queryset.in_countries([self.country.code])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            country=self.country, region=region_of(self.country.code), **kwargs
        )


class SpecialtyDetailView(ProgramListView):
    template_name = "programs/specialty_detail.html"

    def get(self, request, *args, **kwargs):
        self.specialty = get_object_or_404(Specialty, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def scope(self, queryset):
        return queryset.in_specialties([self.specialty.slug])

    def get_context_data(self, **kwargs):
        return super().get_context_data(specialty=self.specialty, **kwargs)


class CountryListView(CachedPageMixin, TemplateView):
    template_name = "programs/country_list.html"

    def get_context_data(self, **kwargs):
        by_region = {region: [] for region in [*REGIONS, None]}
        for country, count in country_list(DirectorySummary().countries):
            by_region[region_of(country.code)].append((country, count))
        return super().get_context_data(
            regions=[(region, rows) for region, rows in by_region.items() if rows], **kwargs
        )


class SpecialtyListView(CachedPageMixin, ListView):
    template_name = "programs/specialty_list.html"
    context_object_name = "specialties"

    def get_queryset(self):
        # The counts the database keeps, on PostgreSQL: counted over every program's
        # specialties instead, the page took 0.14 s at 100,000 programs.
        return DirectorySummary().specialty_list(empty=True)
