"""
The moderation console. Submissions and change requests open on the pending queue, oldest
first; approving, rejecting, applying and dismissing go through submissions.services (the same
functions as everywhere else) and need the "moderate" permission. Every decision is written
to the admin's history of the entry and of the program.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from programs.models import Organization, Program

from . import services
from .models import ChangeRequest, Submission


class ApproveForm(forms.Form):
    # Searched as one types, like a program's organization in its own admin page (the
    # admin's autocomplete, with OrganizationAdmin's search fields): a select of every
    # organization made the moderation page weigh 1.6 MB and take 1.7 s at 100,000 programs.
    # The page renders the chosen organization only (the similar one, when flagged).
    merge_into = forms.ModelChoiceField(
        label=_("Merge into an existing organization"),
        queryset=Organization.objects.all(),
        required=False,
        help_text=_("Leave it empty to keep the organization as submitted."),
        widget=AutocompleteSelect(Program._meta.get_field("organization"), admin.site),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (e-mailed to the submitter)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note (kept with the decision)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )


class PendingFirstMixin:
    """The changelist opens on the pending entries; "All" is one click away."""

    def changelist_view(self, request, extra_context=None):
        if not request.GET and request.method == "GET":
            return HttpResponseRedirect(f"{request.path}?status__exact=pending")
        return super().changelist_view(request, extra_context)

    def get_ordering(self, request):
        # Oldest first while it waits, newest first once decided.
        if request.GET.get("status__exact") == "pending":
            return ["submitted_at", "pk"]
        return ["-submitted_at", "-pk"]

    def has_add_permission(self, request):
        return False  # entries come from the public forms

    def has_moderate_permission(self, request):
        return request.user.has_perm("submissions.moderate")

    def check_moderator(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        return None

    def log_decision(self, request, entry, message):
        self.log_change(request, entry, message)
        self.log_change(request, entry.program, message)

    @admin.display(description=_("language"))
    def language_name(self, entry):
        """The language the form was sent in, which the e-mails about the entry are in."""
        try:
            return translation.get_language_info(entry.language)["name_translated"]
        except KeyError:  # sent before the language was kept
            return entry.language or "–"


class DuplicateListFilter(admin.SimpleListFilter):
    title = _("possible duplicate")
    parameter_name = "duplicate"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        flagged = Q(similar_organization__isnull=False) | Q(similar_program__isnull=False)
        if self.value() == "yes":
            return queryset.filter(flagged)
        if self.value() == "no":
            return queryset.exclude(flagged)
        return queryset


@admin.register(Submission)
class SubmissionAdmin(PendingFirstMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "program_name",
        "organization_name",
        "submitter_name",
        "submitted_at",
        "status",
        "duplicate_flag",
    ]
    list_display_links = ["reference", "program_name"]
    list_filter = ["status", DuplicateListFilter, "submitter_relation", "submitted_at"]
    list_select_related = [
        "program__organization",
        "similar_organization",
        "similar_program",
    ]
    search_fields = [
        "reference",
        "program__name",
        "program__organization__name",
        "submitter_name",
        "submitter_email",
    ]
    date_hierarchy = "submitted_at"
    actions = ["approve_selected", "reject_selected"]
    change_form_template = "admin/submissions/submission/change_form.html"
    readonly_fields = [
        "reference",
        "program_link",
        "status",
        "submitted_at",
        "submitter_name",
        "submitter_email",
        "submitter_relation",
        "submitted_by",
        "language_name",
        "is_new_organization",
        "similar_organization",
        "similar_program",
        "other_specialties",
        "next_mission_starts_on",
        "next_mission_ends_on",
        "impact_text",
        "reviewed_by",
        "reviewed_at",
        "rejection_reason",
    ]
    fieldsets = [
        (None, {"fields": ["reference", "status", "program_link", "submitted_at"]}),
        (
            _("Submitted by"),
            {
                "fields": [
                    "submitter_name",
                    "submitter_email",
                    "submitter_relation",
                    "submitted_by",
                    "language_name",
                ]
            },
        ),
        (
            _("Only for staff"),
            {
                "fields": [
                    "is_new_organization",
                    "similar_organization",
                    "similar_program",
                    "other_specialties",
                    ("next_mission_starts_on", "next_mission_ends_on"),
                    "impact_text",
                ]
            },
        ),
        (_("Decision"), {"fields": ["reviewed_by", "reviewed_at", "rejection_reason"]}),
    ]

    @admin.display(description=_("program"), ordering="program__name")
    def program_name(self, submission):
        return submission.program.name

    @admin.display(description=_("organization"), ordering="program__organization__name")
    def organization_name(self, submission):
        return submission.program.organization.name

    @admin.display(description=_("possible duplicate"))
    def duplicate_flag(self, submission):
        similar = submission.similar_organization or submission.similar_program
        return format_html("⚠ {}", similar.name) if similar else "—"

    @admin.display(description=_("program"))
    def program_link(self, submission):
        url = reverse("admin:programs_program_change", args=[submission.program_id])
        return format_html(
            '<a href="{}">{}</a> ({})', url, submission.program.name, gettext("edit the listing")
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name="submissions_submission_approve",
            ),
            path(
                "<path:object_id>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name="submissions_submission_reject",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        submission = get_object_or_404(
            Submission.objects.select_related("program__organization"), pk=object_id
        )
        program = Program.objects.for_detail().get(pk=submission.program_id)
        context = {
            "submission": submission,
            "listed_program": program,
            "can_moderate": self.has_moderate_permission(request),
            "approve_form": ApproveForm(
                initial={"merge_into": submission.similar_organization}
                if submission.is_new_organization
                else None
            ),
            "reject_form": ReasonForm(),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def render_change_form(self, request, context, *args, **kwargs):
        # The scripts and styles of the organization search, with the admin's own (jQuery
        # once: Media merges what both list).
        if "approve_form" in context:
            context["media"] = context["media"] + context["approve_form"].media
        return super().render_change_form(request, context, *args, **kwargs)

    def approve_view(self, request, object_id):
        refusal = self.check_moderator(request)
        if refusal:
            return refusal
        submission = get_object_or_404(Submission, pk=object_id)
        form = ApproveForm(request.POST)
        merge_into = form.cleaned_data["merge_into"] if form.is_valid() else None
        self._approve(request, submission, merge_into)
        return HttpResponseRedirect(reverse("admin:submissions_submission_changelist"))

    def reject_view(self, request, object_id):
        refusal = self.check_moderator(request)
        if refusal:
            return refusal
        submission = get_object_or_404(Submission.objects.select_related("program"), pk=object_id)
        form = ReasonForm(request.POST)
        if not form.is_valid():
            return self.reason_page(request, [submission], form)
        self._reject(request, submission, form.cleaned_data["reason"])
        return HttpResponseRedirect(reverse("admin:submissions_submission_changelist"))

    @admin.action(
        description=_("Approve and publish the selected submissions"), permissions=["moderate"]
    )
    def approve_selected(self, request, queryset):
        for submission in queryset.select_related("program"):
            self._approve(request, submission, None)

    @admin.action(description=_("Reject the selected submissions…"), permissions=["moderate"])
    def reject_selected(self, request, queryset):
        if "reason" not in request.POST:
            return self.reason_page(request, list(queryset.select_related("program")), ReasonForm())
        form = ReasonForm(request.POST)
        if not form.is_valid():
            return self.reason_page(request, list(queryset.select_related("program")), form)
        for submission in queryset.select_related("program"):
            self._reject(request, submission, form.cleaned_data["reason"])
        return None

    def reason_page(self, request, submissions, form):
        """The intermediate page asking why: for one submission, or for a bulk action."""
        return TemplateResponse(
            request,
            "admin/submissions/submission/reject.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Reject submissions"),
                "opts": self.model._meta,
                "submissions": submissions,
                "form": form,
                "single": len(submissions) == 1 and "action" not in request.POST,
            },
            status=200 if not form.is_bound else 400,
        )

    def _approve(self, request, submission, merge_into):
        try:
            services.approve_submission(submission, by=request.user, merge_into=merge_into)
        except (Submission.AlreadyReviewed, Program.InvalidTransition) as error:
            self.message_user(request, str(error), messages.WARNING)
            return
        message = gettext("Approved and published %(reference)s.") % {
            "reference": submission.reference
        }
        if merge_into is not None:
            message += " " + gettext("Merged into %(organization)s.") % {
                "organization": merge_into.name
            }
        self.log_decision(request, submission, message)
        self.message_user(request, message, messages.SUCCESS)

    def _reject(self, request, submission, reason):
        try:
            services.reject_submission(submission, by=request.user, reason=reason)
        except (Submission.AlreadyReviewed, Submission.ReasonRequired) as error:
            self.message_user(request, str(error), messages.WARNING)
            return
        message = gettext("Rejected %(reference)s: %(reason)s") % {
            "reference": submission.reference,
            "reason": reason,
        }
        self.log_decision(request, submission, message)
        self.message_user(request, message, messages.SUCCESS)


@admin.register(ChangeRequest)
class ChangeRequestAdmin(PendingFirstMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "program",
        "kind",
        "reporter_name",
        "submitted_at",
        "status",
    ]
    list_display_links = ["reference", "program"]
    list_filter = ["status", "kind", "submitted_at"]
    list_select_related = ["program"]
    search_fields = ["reference", "program__name", "message", "reporter_name", "reporter_email"]
    date_hierarchy = "submitted_at"
    change_form_template = "admin/submissions/changerequest/change_form.html"
    readonly_fields = [
        "reference",
        "program",
        "kind",
        "message",
        "reporter_name",
        "reporter_email",
        "language_name",
        "submitted_by",
        "submitted_at",
        "status",
        "reviewed_by",
        "reviewed_at",
        "review_note",
    ]
    exclude = ["proposed"]

    def get_urls(self):
        return [
            path(
                "<path:object_id>/apply/",
                self.admin_site.admin_view(self.decide_view),
                {"decision": "apply"},
                name="submissions_changerequest_apply",
            ),
            path(
                "<path:object_id>/dismiss/",
                self.admin_site.admin_view(self.decide_view),
                {"decision": "dismiss"},
                name="submissions_changerequest_dismiss",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        change = get_object_or_404(ChangeRequest.objects.select_related("program"), pk=object_id)
        context = {
            "change_request": change,
            "comparison": change.comparison(),
            "can_moderate": self.has_moderate_permission(request),
            "note_form": NoteForm(),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def decide_view(self, request, object_id, decision):
        refusal = self.check_moderator(request)
        if refusal:
            return refusal
        change = get_object_or_404(ChangeRequest.objects.select_related("program"), pk=object_id)
        form = NoteForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            if decision == "apply":
                services.apply_change(change, by=request.user, note=note)
                message = gettext("Applied %(reference)s to %(program)s.")
            else:
                services.dismiss_change(change, by=request.user, note=note)
                message = gettext("Dismissed %(reference)s.")
        except ChangeRequest.AlreadyReviewed as error:
            self.message_user(request, str(error), messages.WARNING)
        else:
            message %= {"reference": change.reference, "program": change.program.name}
            self.log_decision(request, change, message)
            self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:submissions_changerequest_changelist"))
