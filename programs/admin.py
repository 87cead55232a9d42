from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import (
    Contact,
    Organization,
    Place,
    Program,
    Specialty,
    StaffingRequirement,
)
from .regions import REGIONS, REGIONS_BY_SLUG
from .search import query_words


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ["name", "role", "email", "phone", "is_name_public", "position"]
    extra = 0


class PlaceInline(admin.TabularInline):
    model = Place
    fields = ["country", "locality", "position"]
    extra = 0


class StaffingRequirementInline(admin.TabularInline):
    model = StaffingRequirement
    fields = ["role", "min_count", "max_count", "period", "accepts_trainees", "wording", "position"]
    extra = 0


class RegionListFilter(admin.SimpleListFilter):
    title = _("region")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        return [(region.slug, region.name) for region in REGIONS]

    def queryset(self, request, queryset):
        if self.value() in REGIONS_BY_SLUG:
            return queryset.in_region(self.value())
        return queryset


class CountryListFilter(admin.SimpleListFilter):
    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = Place.objects.country_codes()
        return [(code, countries.name(code)) for code in codes]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.in_countries([self.value()])
        return queryset


# The lists of rows that belong to a program (places, contacts, staffing, impact figures):
# newest first, along the primary key. Their models are ordered by position, which only means
# something within one program, and sorting every row by it cost each page a sort of the
# whole table joined to the programs (0.06 s for the places, 0.18 s for the impact figures
# at 100,000 programs).
PROGRAM_ROWS_ORDERING = ["-pk"]


def with_program_count(queryset, link):
    """`queryset` with `program_count`, the number of programs whose `link` is the row.
    Counted for the rows shown (a subquery each), not grouped over every program: the
    organizations' list and their autocomplete took 0.2 s at 25,000 organizations. A grouped
    query also loses the model's ordering by name, which the autocomplete's pages rely on."""
    programs = (
        Program.objects.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(count=Count("pk"))
        .values("count")
    )
    return queryset.annotate(program_count=Coalesce(Subquery(programs), 0))


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "organization",
        "status",
        "frequency",
        "last_verified_on",
        "updated_at",
    ]
    list_filter = [
        "status",
        RegionListFilter,
        CountryListFilter,
        "specialties",
        "frequency",
        "trains_local_staff",
        "last_verified_on",
        # Rather than a date hierarchy, which lists the months that have programs by reading
        # every program's date (0.1 s at 100,000 programs, 0.3 s with a search) on each page.
        "created_at",
    ]
    list_select_related = ["organization"]
    # Searched as the public list searches (get_search_results); listed for Django to show
    # the search box and to allow the program autocomplete of other pages.
    search_fields = ["name", "organization__name", "description", "needs_text", "location_text"]
    search_help_text = _(
        "Words of the name, organization, specialties, places or texts: the start of each "
        "word is enough, accents and small typos do not matter."
    )
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organization"]
    filter_horizontal = ["specialties"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [PlaceInline, StaffingRequirementInline, ContactInline]
    actions = ["mark_verified_today"]

    def get_search_results(self, request, queryset, search_term):
        """The site's own search (programs.search), over every status: each word the start
        of a word of the program's name, organization, specialties, places or texts, accents
        aside; on PostgreSQL from the programs' search index. Django's own, `icontains` on
        five columns, read every program's text: 0.4 s a search at 100,000 programs."""
        if not search_term.strip():
            return queryset, False
        if not query_words(search_term):
            return queryset.none(), False  # punctuation only: nothing to look for
        return queryset.search(search_term), False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the inlines and specialties: the search fields are made from them.
        Program.objects.filter(pk=form.instance.pk).refresh_search()

    @admin.action(description=_("Mark the selected programs verified today"))
    def mark_verified_today(self, request, queryset):
        # A bulk date stamp after staff checked the listings with their organizations; the
        # history of each program records it.
        for program in queryset:
            program.mark_verified()
            program.save(update_fields=["last_verified_on", "updated_at"])
            self.log_change(request, program, _("Marked verified"))
        self.message_user(request, _("%(count)d marked verified.") % {"count": len(queryset)})

    fieldsets = [
        (None, {"fields": ["organization", "name", "slug", "description", "website"]}),
        (_("Needs"), {"fields": ["specialties", "needs_text", "location_text"]}),
        (
            _("Frequency and commitment"),
            {
                "fields": [
                    "frequency",
                    ("frequency_min", "frequency_max"),
                    "frequency_text",
                    "min_commitment",
                    "resources_required",
                    "languages",
                    "trains_local_staff",
                ]
            },
        ),
        (
            _("Publication"),
            {
                "fields": [
                    "status",
                    "published_at",
                    "last_verified_on",
                    "source",
                    "source_url",
                    ("created_at", "updated_at"),
                ]
            },
        ),
    ]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "program_count", "website", "updated_at"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request):
        return with_program_count(super().get_queryset(request), "organization")

    @admin.display(description=_("programs"), ordering="program_count")
    def program_count(self, organization):
        return organization.program_count

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        obj.programs.all().refresh_search()  # the organization's name is searched


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "program_count"]
    list_editable = ["position"]
    search_fields = ["name", "synonyms"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return with_program_count(super().get_queryset(request), "specialties")

    @admin.display(description=_("programs"), ordering="program_count")
    def program_count(self, specialty):
        return specialty.program_count

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        obj.programs.all().refresh_search()  # names and synonyms are searched


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    ordering = PROGRAM_ROWS_ORDERING
    list_display = ["name", "role", "program", "email", "phone"]
    list_select_related = ["program"]
    search_fields = ["name", "email", "program__name"]
    autocomplete_fields = ["program"]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    ordering = PROGRAM_ROWS_ORDERING
    list_display = ["__str__", "country", "program"]
    list_select_related = ["program"]
    search_fields = ["locality", "program__name"]
    autocomplete_fields = ["program"]


@admin.register(StaffingRequirement)
class StaffingRequirementAdmin(admin.ModelAdmin):
    ordering = PROGRAM_ROWS_ORDERING
    list_display = ["program", "role", "min_count", "max_count", "period", "accepts_trainees"]
    list_select_related = ["program"]
    list_filter = ["role", "period", "accepts_trainees"]
    search_fields = ["program__name", "wording"]
    autocomplete_fields = ["program"]
