"""
What the public sends in, and what staff decide about it.

A `Submission` is a new program proposed through /submit/: the program, its organization (when
new), places, staffing and contacts are saved at once as ordinary directory rows with the
program pending, so that staff review and edit the real listing; the submission keeps who sent
it, what only staff need (impact, dates, other needs) and the decision.

A `ChangeRequest` is a proposed correction to a published program ("suggest an update"): it
stores the proposed values beside the program until staff apply or dismiss it.

Neither is ever shown publicly: the directory's pages start from Program.objects.published().
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.models import Organization, Program

# Unambiguous characters only (no 0/O, 1/I/L): people read references out on the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference(prefix):
    return prefix + "-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


class AlreadyReviewed(Exception):
    """The entry was approved, rejected, applied or dismissed before."""


class ReasonRequired(Exception):
    """A rejection must say why: the reason is e-mailed to the submitter."""


# Choices live at module level so that the constraints in each Meta can name them.
class SubmissionStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ChangeRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPLIED = "applied", _("Applied")
    DISMISSED = "dismissed", _("Dismissed")


class ChangeKind(models.TextChoices):
    OUTDATED = "outdated", _("Information is out of date")
    CONTACT = "contact", _("A contact does not answer or has changed")
    DATES = "dates", _("New mission dates")
    ENDED = "ended", _("The program has ended")
    CORRECTION = "correction", _("Other correction")


class ReviewQuerySet(models.QuerySet):
    """Both kinds of entries share the vocabulary: "pending" until staff decide."""

    def pending_review(self):
        return self.filter(status=SubmissionStatus.PENDING).order_by("submitted_at", "pk")

    def reviewed(self):
        return self.exclude(status=SubmissionStatus.PENDING)


def language_field():
    """The language of the site when a public form was sent: the e-mails about the entry are
    written in it (services._mail)."""
    return models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        default="",
        editable=False,
        help_text=_("The language of the site when the form was sent."),
    )


class Submission(models.Model):
    """A program proposed by the public, waiting for or after a staff decision."""

    Status = SubmissionStatus

    class Relation(models.TextChoices):
        ORGANIZATION = "organization", _("I work or volunteer for the organization")
        MEMBER = "member", _("I am a member of the society and know the program")
        OTHER = "other", _("Other")

    AlreadyReviewed = AlreadyReviewed
    ReasonRequired = ReasonRequired

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    program = models.OneToOneField(
        Program,
        on_delete=models.CASCADE,
        related_name="submission",
        verbose_name=_("program"),
    )
    is_new_organization = models.BooleanField(
        _("new organization"),
        default=False,
        help_text=_("The name the submitter gave matched no organization of the directory."),
    )
    other_specialties = models.CharField(_("other needs"), max_length=300, blank=True, default="")
    next_mission_starts_on = models.DateField(_("next mission starts"), null=True, blank=True)
    next_mission_ends_on = models.DateField(_("next mission ends"), null=True, blank=True)
    impact_text = models.TextField(_("impact figures"), blank=True, default="")

    submitter_name = models.CharField(_("submitter's name"), max_length=200)
    submitter_email = models.EmailField(_("submitter's e-mail"))
    submitter_relation = models.CharField(
        _("relation to the program"), max_length=20, choices=Relation, default=Relation.OTHER
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name=_("submitted by (member)"),
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)
    language = language_field()

    # Possible duplicates, found when the submission arrived (see services.find_similar).
    similar_organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="similar_submissions",
        verbose_name=_("similar organization"),
    )
    similar_program = models.ForeignKey(
        Program,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="similar_submissions",
        verbose_name=_("similar program"),
    )

    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.PENDING, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_submissions",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True, default="")

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        permissions = [
            ("moderate", _("Can approve or reject submissions and change requests")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SubmissionStatus.values),
                name="submission_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=SubmissionStatus.PENDING) | Q(reviewed_at__isnull=False),
                name="submission_reviewed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=SubmissionStatus.REJECTED) | ~Q(rejection_reason=""),
                name="submission_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(next_mission_starts_on__isnull=True)
                | Q(next_mission_ends_on__isnull=True)
                | Q(next_mission_starts_on__lte=F("next_mission_ends_on")),
                name="submission_mission_dates_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.program.name}"

    def get_absolute_url(self):
        # Only staff see a submission; its address is the admin's.
        return reverse("admin:submissions_submission_change", args=[self.pk])

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    def _check_pending(self):
        if not self.is_pending:
            raise AlreadyReviewed(
                _("Submission %(reference)s is %(status)s already.")
                % {"reference": self.reference, "status": self.get_status_display().lower()}
            )

    def approve(self, by, organization=None):
        """Publish the program; with `organization`, move it there first (a duplicate of the
        one the submitter created). Raises AlreadyReviewed. The caller saves."""
        self._check_pending()
        if organization is not None:
            self.program.organization = organization
        self.program.publish()
        self.status = self.Status.APPROVED
        self.reviewed_by, self.reviewed_at = by, timezone.now()

    def reject(self, by, reason):
        """Raises AlreadyReviewed, or ReasonRequired for an empty reason. The caller saves."""
        self._check_pending()
        if not (reason or "").strip():
            raise ReasonRequired("A rejection needs a reason for the submitter.")
        self.program.reject()
        self.status = self.Status.REJECTED
        self.rejection_reason = reason.strip()
        self.reviewed_by, self.reviewed_at = by, timezone.now()


class ChangeRequest(models.Model):
    """A proposed correction to a published program, from anyone."""

    Status = ChangeRequestStatus
    Kind = ChangeKind

    AlreadyReviewed = AlreadyReviewed

    # The program fields a change request may propose new values for.
    PROPOSABLE_FIELDS = [
        "description",
        "website",
        "needs_text",
        "location_text",
        "frequency_text",
        "min_commitment",
        "resources_required",
        "languages",
    ]

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="change_requests",
        verbose_name=_("program"),
    )
    kind = models.CharField(_("what changed"), max_length=20, choices=ChangeKind)
    message = models.TextField(_("message"), blank=True, default="")
    proposed = models.JSONField(
        _("proposed values"),
        default=dict,
        blank=True,
        help_text=_("New values for the program's fields, by field name."),
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=200, blank=True, default="")
    reporter_email = models.EmailField(_("reporter's e-mail"), blank=True, default="")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="change_requests",
        verbose_name=_("submitted by (member)"),
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)
    language = language_field()

    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.PENDING, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_change_requests",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("note from staff"), blank=True, default="")

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ChangeRequestStatus.values),
                name="changerequest_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ChangeKind.values),
                name="changerequest_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=ChangeRequestStatus.PENDING) | Q(reviewed_at__isnull=False),
                name="changerequest_reviewed_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.program.name} ({self.get_kind_display()})"

    def get_absolute_url(self):
        return reverse("admin:submissions_changerequest_change", args=[self.pk])

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    def comparison(self):
        """[(field label, current value, proposed value)] for the fields it would change."""
        rows = []
        for name, value in self.proposed.items():
            if name in self.PROPOSABLE_FIELDS:
                field = Program._meta.get_field(name)
                rows.append((field.verbose_name, getattr(self.program, name), value))
        return rows

    def apply(self, by, note=""):
        """Copy the proposed values into the program, archive it when it has ended, and mark
        it verified today. Raises AlreadyReviewed. The caller saves both."""
        if not self.is_pending:
            raise AlreadyReviewed(
                _("Change request %(reference)s is %(status)s already.")
                % {"reference": self.reference, "status": self.get_status_display().lower()}
            )
        for name, value in self.proposed.items():
            if name in self.PROPOSABLE_FIELDS:
                setattr(self.program, name, value)
        if self.kind == self.Kind.ENDED and self.program.is_published:
            self.program.archive()
        self.program.mark_verified()
        self.status = self.Status.APPLIED
        self.review_note = note
        self.reviewed_by, self.reviewed_at = by, timezone.now()

    def dismiss(self, by, note=""):
        if not self.is_pending:
            raise AlreadyReviewed(
                _("Change request %(reference)s is %(status)s already.")
                % {"reference": self.reference, "status": self.get_status_display().lower()}
            )
        self.status = self.Status.DISMISSED
        self.review_note = note
        self.reviewed_by, self.reviewed_at = by, timezone.now()
