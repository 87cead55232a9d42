from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from programs.admin import PROGRAM_ROWS_ORDERING, ProgramAdmin

from .models import Campaign, ImpactFigure, Mission, MissionRole, MissionStatusError


class MissionRoleInline(admin.TabularInline):
    model = MissionRole
    fields = ["role", "count", "open_places", "position"]
    extra = 0


@admin.register(Mission)
class MissionAdmin(admin.ModelAdmin):
    list_display = ["title", "program", "country", "dates", "status", "updated_at"]
    list_filter = ["status", "date_precision", "country", "program__specialties"]
    list_select_related = ["program"]
    search_fields = ["title", "city", "host_facility", "program__name", "description"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["program"]
    date_hierarchy = "start_on"
    readonly_fields = ["created_at", "updated_at"]
    inlines = [MissionRoleInline]
    actions = ["cancel_missions", "complete_missions"]
    fieldsets = [
        (None, {"fields": ["program", "title", "slug", "description", "status"]}),
        (_("Place"), {"fields": ["country", "city", "host_facility", "language"]}),
        (_("Dates"), {"fields": ["date_precision", ("start_on", "end_on"), "duration_days"]}),
        (_("Team"), {"fields": ["team_size", "volunteer_countries"]}),
        (_("Costs for a volunteer"), {"fields": ["travel", "lodging", "fee", "costs_note"]}),
        (
            _("Results and source"),
            {"fields": ["results", "source", "source_url", ("created_at", "updated_at")]},
        ),
    ]

    @admin.display(description=_("dates"), ordering="start_on")
    def dates(self, mission):
        return mission.dates_display

    def _change_status(self, request, queryset, verb):
        changed = 0
        for mission in queryset:
            try:
                getattr(mission, verb)()
            except MissionStatusError as error:
                self.message_user(request, f"{mission.title}: {error}", messages.WARNING)
                continue
            mission.save(update_fields=["status", "updated_at"])
            changed += 1
        if changed:
            self.message_user(
                request,
                ngettext("%(count)d mission changed.", "%(count)d missions changed.", changed)
                % {"count": changed},
                messages.SUCCESS,
            )

    @admin.action(description=_("Cancel the selected missions"))
    def cancel_missions(self, request, queryset):
        self._change_status(request, queryset, "cancel")

    @admin.action(description=_("Mark the selected missions completed"))
    def complete_missions(self, request, queryset):
        self._change_status(request, queryset, "mark_completed")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "organizer"]
    search_fields = ["name", "description", "organizer"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ImpactFigure)
class ImpactFigureAdmin(admin.ModelAdmin):
    ordering = PROGRAM_ROWS_ORDERING
    list_display = ["__str__", "scope", "metric", "value", "is_lower_bound", "basis", "source"]
    list_filter = ["scope", "metric", "basis", "is_lower_bound", "country"]
    list_select_related = ["mission", "program", "organization", "campaign"]
    search_fields = [
        "wording",
        "source",
        "mission__title",
        "program__name",
        "organization__name",
        "campaign__name",
    ]
    autocomplete_fields = ["mission", "program", "organization", "campaign", "part_of"]
    fieldsets = [
        (None, {"fields": ["scope", "mission", "program", "organization", "campaign"]}),
        (
            _("Figure"),
            {"fields": ["metric", ("value", "is_lower_bound"), "basis", "wording", "part_of"]},
        ),
        (
            _("Period"),
            {"fields": [("period_start_year", "period_end_year"), "period_text"]},
        ),
        (_("About"), {"fields": ["country", "specialty"]}),
        (_("Source"), {"fields": ["source", "source_url", "position"]}),
    ]


class MissionInline(admin.TabularInline):
    """The program's missions on its admin page; each opens in full with its link."""

    model = Mission
    fields = ["title", "status", "date_precision", "start_on", "end_on", "country"]
    show_change_link = True
    extra = 0

    def has_add_permission(self, request, obj=None):
        # A mission needs its slug and team: it is added on its own page.
        return False


ProgramAdmin.inlines = [*ProgramAdmin.inlines, MissionInline]
