"""
The submission and moderation workflow: each function saves in one transaction, then sends
the e-mail that goes with it. Views and the admin call these and nothing else changes status.

E-mail is sent after the transaction has committed and a failing mail server never undoes a
saved entry: the submitter already has their reference on the screen, and staff see the
entry in the queue whatever happened to the notification.
"""

import difflib
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext_lazy

from programs.models import Contact, Organization, Place, Program, StaffingRequirement
from programs.search import normalize

from .models import ChangeRequest, Submission, new_reference

log = logging.getLogger(__name__)


# --- Submitting ---------------------------------------------------------------------------


def submit_program(form, places, staffing, contacts, user=None):
    """Save a proposed program with everything it came with, pending review, and tell the
    submitter and the moderators. `form` is a valid SubmissionForm; `places`, `staffing` and
    `contacts` are lists of cleaned rows. Returns the Submission."""
    data = form.cleaned_data
    with transaction.atomic():
        organization = data["organization"]
        is_new_organization = organization is None
        if is_new_organization:
            organization = _create_with_unique_slug(
                Organization,
                name=data["organization_name"].strip(),
                website=data["organization_website"],
            )
        program = _create_with_unique_slug(
            Program,
            organization=organization,
            name=data["name"].strip(),
            description=data["description"].strip(),
            website=data["website"],
            needs_text=data["needs_text"].strip(),
            frequency=data["frequency"],
            frequency_min=data["frequency_min"],
            frequency_max=data["frequency_max"],
            frequency_text=data["frequency_text"].strip(),
            resources_required=data["resources_required"].strip(),
            min_commitment=data["min_commitment"].strip(),
            languages=data["languages"].strip(),
            trains_local_staff=data["trains_local_staff"],
            status=Program.Status.PENDING,
            # Shown on the program's page to every visitor: the site's language, not the
            # submitter's.
            source=_in_site_language(gettext_lazy("Submitted to the directory")),
        )
        program.specialties.set(data["specialties"])
        _add_rows(program, places, staffing, contacts)
        Program.objects.filter(pk=program.pk).refresh_search()
        submission = _create_with_unique_reference(
            Submission,
            "S",
            program=program,
            is_new_organization=is_new_organization,
            other_specialties=data["other_specialties"].strip(),
            next_mission_starts_on=data["next_mission_starts_on"],
            next_mission_ends_on=data["next_mission_ends_on"],
            impact_text=data["impact_text"].strip(),
            submitter_name=data["submitter_name"].strip(),
            submitter_email=data["submitter_email"],
            submitter_relation=data["submitter_relation"],
            submitted_by=user if user and user.is_authenticated else None,
            language=translation.get_language() or "",
            similar_organization=find_similar(
                organization.name, Organization.objects.exclude(pk=organization.pk)
            )
            if is_new_organization
            else None,
            similar_program=find_similar(
                program.name,
                Program.objects.exclude(pk=program.pk).exclude(status=Program.Status.REJECTED),
            ),
        )
    _mail(
        [submission.submitter_email],
        submission.language,
        gettext_lazy("We received your program (reference %(reference)s)"),
        {"reference": submission.reference},
        "submissions/email/received.txt",
        {"submission": submission},
    )
    _mail(
        moderator_emails(),
        None,
        gettext_lazy("New program to review: %(name)s"),
        {"name": program.name},
        "submissions/email/staff_new.txt",
        {"submission": submission, "entry": submission},
    )
    return submission


def _add_rows(program, places, staffing, contacts):
    seen = set()
    for position, row in enumerate(places):
        key = (row["country"], row["locality"].strip())
        if key in seen:  # the same place twice would break the per-program uniqueness
            continue
        seen.add(key)
        Place.objects.create(program=program, country=key[0], locality=key[1], position=position)
    for position, row in enumerate(staffing):
        StaffingRequirement.objects.create(
            program=program,
            role=row["role"],
            min_count=row["min_count"],
            max_count=row["max_count"],
            period=row["period"] or StaffingRequirement.Period.UNSPECIFIED,
            accepts_trainees=row["accepts_trainees"],
            position=position,
        )
    for position, row in enumerate(contacts):
        Contact.objects.create(
            program=program,
            name=row["name"].strip(),
            role=row["role"].strip(),
            email=row["email"],
            phone=row["phone"].strip(),
            is_name_public=row["is_name_public"],
            position=position,
        )


def _create_with_unique_slug(model, **fields):
    """Create a row whose slug comes from its name: "smile-network", then "smile-network-2"...
    Two submissions of the same name at the same moment cannot both take a slug: the loser
    of the race gets a random suffix instead of an error."""
    base = slugify(fields["name"])[:180].strip("-") or model._meta.model_name
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    try:
        with transaction.atomic():
            return model.objects.create(slug=slug, **fields)
    except IntegrityError:
        slug = f"{base}-{get_random_string(6, 'abcdefghjkmnpqrstuvwxyz23456789')}"
        return model.objects.create(slug=slug, **fields)


def _create_with_unique_reference(model, prefix, **fields):
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return model.objects.create(reference=new_reference(prefix), **fields)
        except IntegrityError:
            # Another entry has this reference (one chance in 31^8): draw again. Any other
            # integrity error repeats five times and is raised.
            continue
    return model.objects.create(reference=new_reference(prefix), **fields)


# --- Possible duplicates ------------------------------------------------------------------

# Words that say nothing about which organization it is.
_FILLER = {
    "the",
    "of",
    "for",
    "and",
    "a",
    "an",
    "de",
    "la",
    "el",
    "der",
    "die",
    "das",
    "ev",
    "e",
    "v",
    "inc",
    "ltd",
    "program",
    "programme",
    "mission",
    "missions",
}


def normalized(name):
    """As the search normalizes (lower case, no accents or punctuation), without filler
    words: "Mission: Plásticos" and "mission plasticos" compare equal."""
    words = normalize(name).split()
    return " ".join(w for w in words if w not in _FILLER) or " ".join(words)


def find_similar(name, queryset, threshold=0.82):
    """The row of `queryset` whose name is most like `name`, or None. Candidates are the
    rows sharing a significant word (one query); they are then ranked by similarity."""
    target = normalized(name)
    words = sorted({w for w in target.split() if len(w) >= 4}, key=len, reverse=True)[:5]
    if not words:
        words = target.split()[:3]
    if not words:
        return None
    condition = Q()
    for word in words:
        condition |= Q(name__icontains=word)
    best, best_score = None, threshold
    for candidate in queryset.filter(condition).only("pk", "name", "slug")[:200]:
        other = normalized(candidate.name)
        score = difflib.SequenceMatcher(None, target, other).ratio()
        if min(len(target), len(other)) >= 5 and (target in other or other in target):
            score = max(score, 0.9)
        if score >= best_score:
            best, best_score = candidate, score
    return best


# --- Moderating ---------------------------------------------------------------------------


def approve_submission(submission, by, merge_into=None):
    """Publish the submitted program. With `merge_into`, an existing organization, the program
    moves there and the organization the submitter created is removed when nothing else uses
    it. Raises Submission.AlreadyReviewed or Program.InvalidTransition."""
    with transaction.atomic():
        submission = _locked(Submission, submission)
        created_organization = submission.program.organization
        submission.approve(by, organization=merge_into)
        submission.program.save()
        submission.save()
        if (
            merge_into is not None
            and submission.is_new_organization
            and created_organization.pk != merge_into.pk
            and not created_organization.programs.exists()
        ):
            created_organization.delete()
        Program.objects.filter(pk=submission.program_id).refresh_search()
    _mail(
        [submission.submitter_email],
        submission.language,
        gettext_lazy("Your program is published: %(name)s"),
        {"name": submission.program.name},
        "submissions/email/approved.txt",
        {"submission": submission},
    )
    return submission


def reject_submission(submission, by, reason):
    """Raises Submission.AlreadyReviewed or Submission.ReasonRequired."""
    with transaction.atomic():
        submission = _locked(Submission, submission)
        submission.reject(by, reason)
        submission.program.save()
        submission.save()
    _mail(
        [submission.submitter_email],
        submission.language,
        gettext_lazy("About your program submission %(reference)s"),
        {"reference": submission.reference},
        "submissions/email/rejected.txt",
        {"submission": submission},
    )
    return submission


def request_change(program, form, user=None):
    """Save a suggested update to a published program and tell the moderators."""
    data = form.cleaned_data
    change = _create_with_unique_reference(
        ChangeRequest,
        "U",
        program=program,
        kind=data["kind"],
        message=data["message"].strip(),
        proposed=form.proposed_values(),
        reporter_name=data["reporter_name"].strip(),
        reporter_email=data["reporter_email"],
        submitted_by=user if user and user.is_authenticated else None,
        language=translation.get_language() or "",
    )
    _mail(
        moderator_emails(),
        None,
        gettext_lazy("Update suggested for %(name)s"),
        {"name": program.name},
        "submissions/email/staff_change.txt",
        {"change": change, "entry": change},
    )
    return change


def apply_change(change, by, note=""):
    """Raises ChangeRequest.AlreadyReviewed."""
    with transaction.atomic():
        change = _locked(ChangeRequest, change)
        change.apply(by, note)
        change.program.save()
        change.save()
        Program.objects.filter(pk=change.program_id).refresh_search()
    if change.reporter_email:
        _mail(
            [change.reporter_email],
            change.language,
            gettext_lazy("Thank you: %(name)s is updated"),
            {"name": change.program.name},
            "submissions/email/change_applied.txt",
            {"change": change},
        )
    return change


def dismiss_change(change, by, note=""):
    """Raises ChangeRequest.AlreadyReviewed."""
    with transaction.atomic():
        change = _locked(ChangeRequest, change)
        change.dismiss(by, note)
        change.save()
    return change


def _locked(model, entry):
    """The entry again, locked for the rest of the transaction: two moderators pressing
    "approve" at once cannot both succeed (PostgreSQL; SQLite writes one at a time anyway)."""
    return (
        model.objects.select_for_update().select_related("program__organization").get(pk=entry.pk)
    )


# --- Listings to verify again --------------------------------------------------------------


def ask_to_verify(organization, programs, addresses):
    """Ask `addresses`, the contacts of `organization`'s stale `programs`, to confirm or
    correct them. Written in the language its latest submission was sent in, the
    organization's own word on the site (a suggestion may come from anybody), else in the
    site's. True when the mail went out."""
    language = (
        Submission.objects.filter(program__in=programs)
        .exclude(language="")
        .order_by("-submitted_at")
        .values_list("language", flat=True)
        .first()
    )
    return _mail(
        addresses,
        language,
        gettext_lazy("Please check your listing in the Humanitarian Surgery Directory: %(name)s"),
        {"name": organization.name},
        "submissions/email/stale.txt",
        {"organization": organization, "programs": programs},
    )


# --- E-mail -------------------------------------------------------------------------------


def moderator_emails():
    """Who hears of new entries: active staff allowed to moderate, and settings.MANAGERS."""
    permission = Permission.objects.get(codename="moderate", content_type__app_label="submissions")
    users = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions=permission)
            | Q(groups__permissions=permission)
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    managers = [address for _name, address in settings.MANAGERS]
    return sorted(set(users) | set(managers))


def _in_site_language(text):
    """`text`, a lazy or marked string, in the site's own language (LANGUAGE_CODE)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def _mail(recipients, language, subject, subject_params, template, context):
    """Send `template` to `recipients` in `language`: the one the submitter used on the site
    for what concerns their entry (whichever language the moderator reads the admin in), the
    site's own (None) for staff. `subject` is a lazy message, filled in that language.
    True when the mail went out."""
    if not recipients:
        return False
    with translation.override(language or settings.LANGUAGE_CODE):
        body = render_to_string(template, {**context, "site_url": settings.SITE_URL})
        subject = str(subject) % subject_params
    # A name typed with a line break must not break (or inject into) the mail headers.
    subject = " ".join(subject.split())[:200]
    try:
        send_mail(subject, body, None, recipients)
    except Exception:
        # The entry is saved and staff see it in the queue; the failure is logged for them.
        log.exception("Could not send %r to %s", subject, recipients)
        return False
    return True
