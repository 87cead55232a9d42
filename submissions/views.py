"""Public pages of the workflow: propose a program, suggest an update, see one's own entries.
Nothing here shows a pending entry's content to anyone but the member who sent it."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from directory.abuse import RateLimit
from directory.pagecache import CachedPageMixin
from programs.models import Organization, Program

from . import services
from .forms import (
    ChangeRequestForm,
    ContactFormSet,
    PlaceFormSet,
    StaffingFormSet,
    SubmissionForm,
    SuggestionsForm,
)
from .models import ChangeRequest, Submission

THANKS_SESSION_KEY = "submission_reference"


def entry_limit(scope):
    # Built per request so that the limit follows the settings (tests change it).
    return RateLimit(scope, limit=settings.SUBMISSION_RATE_LIMIT, period=3600)


class ProtectedFormMixin:
    """The honeypot and the rate limit of a public form. Both answer with the form again,
    everything typed still in it, and a message saying what happened: a person who tripped
    them by accident loses nothing and knows what to do."""

    rate_scope = None

    def refusal(self, form):
        """An error message and status for a form that must not be saved, or None."""
        if form.is_spam:
            return (
                _(
                    "This form could not be sent because a field meant to stay empty was "
                    "filled in (some browsers’ autofill does this). Empty the field "
                    "“Leave this field empty” and send again."
                ),
                400,
            )
        if not entry_limit(self.rate_scope).hit(self.request):
            return (
                _(
                    "You have sent many entries in the last hour, so this one was not saved "
                    "yet. Nothing you typed is lost: please send it again in an hour, or "
                    "write to the directory’s staff."
                ),
                429,
            )
        return None


class SubmitView(ProtectedFormMixin, TemplateView):
    template_name = "submissions/submit.html"
    rate_scope = "submissions"

    def get_forms(self, data=None):
        user = self.request.user
        initial = {}
        if user.is_authenticated:
            initial = {"submitter_name": user.get_full_name(), "submitter_email": user.email}
        return {
            "form": SubmissionForm(data, initial=initial),
            "places": PlaceFormSet(data, prefix="places"),
            "staffing": StaffingFormSet(data, prefix="staffing"),
            "contacts": ContactFormSet(data, prefix="contacts"),
        }

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(**self.get_forms()))

    def post(self, request, *args, **kwargs):
        forms = self.get_forms(request.POST)
        # Validate every form (not just up to the first invalid one) to show every message.
        valid = [f.is_valid() for f in forms.values()]
        if not all(valid):
            return self.render_to_response(self.get_context_data(**forms), status=400)
        refusal = self.refusal(forms["form"])
        if refusal:
            message, status = refusal
            return self.render_to_response(
                self.get_context_data(refusal=message, **forms), status=status
            )
        submission = services.submit_program(
            forms["form"],
            places=forms["places"].rows(),
            staffing=forms["staffing"].rows(),
            contacts=forms["contacts"].rows(),
            user=request.user,
        )
        request.session[THANKS_SESSION_KEY] = submission.reference
        return redirect("submissions:thanks")


class OrganizationSuggestionsView(CachedPageMixin, View):
    """The names of public organizations that contain what the submitter typed, as JSON, for
    the suggestions site.js shows under the submission form's organization field. Public
    already: every organization with a published program has its page."""

    query_parameters = frozenset(SuggestionsForm.base_fields)

    def get(self, request, *args, **kwargs):
        form = SuggestionsForm(request.GET)
        names = []
        if form.is_valid():
            names = list(Organization.objects.suggested_for(form.cleaned_data["q"]))
        return JsonResponse({"organizations": names})


class ThanksView(TemplateView):
    """Shows the reference of the visitor's own last submission, from their session: the
    address alone reveals nothing."""

    template_name = "submissions/thanks.html"

    def get(self, request, *args, **kwargs):
        reference = request.session.get(THANKS_SESSION_KEY)
        if not reference:
            return redirect("submissions:submit")
        return self.render_to_response(self.get_context_data(reference=reference))


class SuggestUpdateView(ProtectedFormMixin, TemplateView):
    template_name = "submissions/suggest.html"
    rate_scope = "updates"

    def dispatch(self, request, *args, **kwargs):
        self.program = get_object_or_404(
            Program.objects.published().select_related("organization"), slug=kwargs["slug"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, data=None):
        initial = {}
        if self.request.user.is_authenticated:
            initial = {
                "reporter_name": self.request.user.get_full_name(),
                "reporter_email": self.request.user.email,
            }
        return ChangeRequestForm(data, program=self.program, initial=initial)

    def get_context_data(self, **kwargs):
        return super().get_context_data(program=self.program, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        refusal = self.refusal(form)
        if refusal:
            message, status = refusal
            return self.render_to_response(
                self.get_context_data(form=form, refusal=message), status=status
            )
        change = services.request_change(self.program, form, user=request.user)
        messages.success(
            request,
            _(
                "Thank you. Your update (reference %(reference)s) goes to the directory’s "
                "staff, who check it before the listing changes."
            )
            % {"reference": change.reference},
        )
        return redirect(self.program)


class MySubmissionsView(LoginRequiredMixin, TemplateView):
    """A member's own submissions and suggested updates, with their status."""

    template_name = "submissions/mine.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            submissions=Submission.objects.filter(submitted_by=user).select_related("program"),
            changes=ChangeRequest.objects.filter(submitted_by=user).select_related("program"),
            submit_url=reverse("submissions:submit"),
            **kwargs,
        )
