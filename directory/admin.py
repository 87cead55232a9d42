"""The admin site of the directory: the same Django admin, opening on the moderation queue."""

from itertools import chain

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

QUEUE_LENGTH = 20


class DirectoryAdminSite(admin.AdminSite):
    site_header = _("Humanitarian Surgery Directory: staff")
    site_title = _("Directory staff")
    index_title = _("Moderation and editing")

    def index(self, request, extra_context=None):
        return super().index(request, {**self.queue_context(request), **(extra_context or {})})

    @staticmethod
    def queue_context(request):
        """The oldest pending submissions and change requests, together, with counts.
        Staff who may not see submissions get no queue."""
        from submissions.models import ChangeRequest, Submission

        if not request.user.has_perm("submissions.view_submission"):
            return {"queue": None}
        submissions = Submission.objects.pending_review().select_related(
            "program", "similar_organization", "similar_program"
        )
        changes = ChangeRequest.objects.pending_review().select_related("program")
        counts = {"submissions": submissions.count(), "changes": changes.count()}
        queue = sorted(
            chain(
                _labelled(submissions[:QUEUE_LENGTH], _("New program")),
                _labelled(changes[:QUEUE_LENGTH], None),
            ),
            key=lambda entry: entry.submitted_at,
        )[:QUEUE_LENGTH]
        return {
            "queue": queue,
            "queue_count": counts["submissions"] + counts["changes"],
            "queue_submissions": counts["submissions"],
            "queue_changes": counts["changes"],
        }


def _labelled(entries, label):
    for entry in entries:
        entry.kind_label = label or entry.get_kind_display()
        yield entry
