"""Moderation in the admin: the queue, decisions and who may take them, what they change
and whom they tell, duplicates and merging, change requests, and the admin's history."""

import datetime
import io

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from programs.models import Organization, Program
from submissions.models import ChangeRequest, Submission
from tests.factories import ProgramFactory, submission_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def submitted(client, **overrides):
    response = client.post("/submit/", submission_post(**overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    cache.clear()
    return Submission.objects.order_by("-pk").first()


def suggested(program, **fields):
    change = ChangeRequest.objects.create(
        reference=f"U-TEST{ChangeRequest.objects.count():04d}",
        program=program,
        kind=fields.pop("kind", ChangeRequest.Kind.OUTDATED),
        **fields,
    )
    return change


def approve_url(submission):
    return reverse("admin:submissions_submission_approve", args=[submission.pk])


def reject_url(submission):
    return reverse("admin:submissions_submission_reject", args=[submission.pk])


@pytest.fixture
def viewer(client):
    """Staff who may see submissions but not decide on them."""
    user = User.objects.create_user("viewer", "viewer@example.org", "pw", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="view_submission"),
        Permission.objects.get(codename="view_changerequest"),
    )
    return user


# --- The queue -----------------------------------------------------------------------------


def test_the_admin_opens_on_the_queue_oldest_first_with_counts(client, admin_client):
    first = submitted(client, name="First waiting")
    second = submitted(client, name="Second waiting")
    Submission.objects.filter(pk=first.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=3)
    )
    change = suggested(Program.objects.get(slug="nuevo-amanecer"))
    ChangeRequest.objects.filter(pk=change.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=1)
    )
    response = admin_client.get(reverse("admin:index"))
    text = response.content.decode()
    assert "Moderation queue: 3 entries waiting" in text
    assert "2 submissions" in text and "1 suggested update" in text
    queue = [entry.reference for entry in response.context["queue"]]
    assert queue == [first.reference, change.reference, second.reference]
    assert text.index(first.reference) < text.index("Recent actions")


def test_decided_entries_leave_the_queue(client, admin_client):
    submission = submitted(client)
    admin_client.post(approve_url(submission))
    response = admin_client.get(reverse("admin:index"))
    assert response.context["queue"] == []
    assert "Nothing waits for review." in response.content.decode()


def test_the_submission_list_opens_on_pending_oldest_first(client, admin_client):
    older, newer = submitted(client, name="Older"), submitted(client, name="Newer")
    Submission.objects.filter(pk=older.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=2)
    )
    url = reverse("admin:submissions_submission_changelist")
    response = admin_client.get(url)
    assert response.status_code == 302
    assert response["Location"] == url + "?status__exact=pending"
    response = admin_client.get(response["Location"])
    assert [s.pk for s in response.context["cl"].result_list] == [older.pk, newer.pk]


def test_submissions_cannot_be_added_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:submissions_submission_add")).status_code == 403


def test_the_submission_page_shows_the_listing_and_the_decision_forms(client, admin_client):
    submission = submitted(client)
    response = admin_client.get(
        reverse("admin:submissions_submission_change", args=[submission.pk])
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Cleft surgery in Cusco" in text and "Cusco, Peru" in text
    assert "rosa@andes.example.org" in text  # staff see contact addresses
    assert approve_url(submission) in text and reject_url(submission) in text


# --- Approving and rejecting ---------------------------------------------------------------


def test_approving_publishes_records_the_reviewer_and_tells_the_submitter(
    client, admin_client, admin_user, mailoutbox
):
    submission = submitted(client)
    mailoutbox.clear()
    response = admin_client.post(approve_url(submission))
    assert response.status_code == 302
    submission.refresh_from_db()
    program = submission.program
    assert submission.status == Submission.Status.APPROVED
    assert (submission.reviewed_by, submission.reviewed_at is not None) == (admin_user, True)
    assert program.status == Program.Status.PUBLISHED
    assert program.published_at and program.last_verified_on == timezone.localdate()
    [mail] = mailoutbox
    assert mail.to == ["ana@example.org"]
    assert program.get_absolute_url() in mail.body
    # Now public: in the list, the search, its own page.
    assert client.get(program.get_absolute_url()).status_code == 200
    assert program in client.get("/programs/?q=Cusco").context["programs"]
    assert client.get(program.organization.get_absolute_url()).status_code == 200


def test_the_admin_history_shows_who_decided(client, admin_client, admin_user):
    submission = submitted(client)
    admin_client.post(approve_url(submission))
    entries = LogEntry.objects.filter(user=admin_user)
    assert {entry.content_type.model for entry in entries} == {"submission", "program"}
    assert all(submission.reference in entry.change_message for entry in entries)
    history = admin_client.get(
        reverse("admin:submissions_submission_history", args=[submission.pk])
    )
    assert submission.reference in history.content.decode()


def test_rejecting_needs_a_reason_and_keeps_what_was_typed(client, admin_client):
    submission = submitted(client)
    response = admin_client.post(reject_url(submission), {"reason": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    submission.refresh_from_db()
    assert submission.is_pending


def test_rejecting_e_mails_the_reason(client, admin_client, mailoutbox):
    submission = submitted(client)
    mailoutbox.clear()
    admin_client.post(reject_url(submission), {"reason": "No surgical component."})
    submission.refresh_from_db()
    assert submission.status == Submission.Status.REJECTED
    assert submission.program.status == Program.Status.REJECTED
    assert submission.rejection_reason == "No surgical component."
    [mail] = mailoutbox
    assert mail.to == ["ana@example.org"] and "No surgical component." in mail.body
    assert client.get(submission.program.get_absolute_url()).status_code == 404


def test_a_decision_is_taken_once(client, admin_client, mailoutbox):
    submission = submitted(client)
    admin_client.post(approve_url(submission))
    mailoutbox.clear()
    response = admin_client.post(reject_url(submission), {"reason": "Changed my mind"}, follow=True)
    assert "approved already" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.APPROVED
    assert mailoutbox == []


def test_decisions_need_post(client, admin_client):
    submission = submitted(client)
    assert admin_client.get(approve_url(submission)).status_code == 405
    submission.refresh_from_db()
    assert submission.is_pending


def test_bulk_approve(client, admin_client):
    entries = [submitted(client, name=f"Bulk {n}") for n in range(3)]
    admin_client.post(
        reverse("admin:submissions_submission_changelist") + "?status__exact=pending",
        {"action": "approve_selected", "_selected_action": [s.pk for s in entries]},
    )
    assert Program.objects.published().filter(name__startswith="Bulk ").count() == 3


def test_bulk_reject_asks_for_the_reason_first(client, admin_client, mailoutbox):
    entries = [submitted(client, name=f"Bulk {n}") for n in range(2)]
    mailoutbox.clear()
    url = reverse("admin:submissions_submission_changelist") + "?status__exact=pending"
    selection = {"action": "reject_selected", "_selected_action": [s.pk for s in entries]}
    response = admin_client.post(url, selection)
    assert response.status_code == 200
    assert "Reason (e-mailed to the submitter)" in response.content.decode()
    assert Submission.objects.pending_review().count() == 2
    admin_client.post(url, {**selection, "reason": "Duplicates of listed programs"})
    assert Submission.objects.filter(status=Submission.Status.REJECTED).count() == 2
    assert len(mailoutbox) == 2


# --- Who may moderate ----------------------------------------------------------------------


def test_staff_without_the_permission_see_but_cannot_decide(client, viewer):
    submission = submitted(client)
    client.force_login(viewer)
    page = client.get(reverse("admin:submissions_submission_change", args=[submission.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert approve_url(submission) not in text
    assert "needs the permission to moderate" in text
    assert client.post(approve_url(submission)).status_code == 403
    assert client.post(reject_url(submission), {"reason": "x"}).status_code == 403
    response = client.post(
        reverse("admin:submissions_submission_changelist") + "?status__exact=pending",
        {"action": "approve_selected", "_selected_action": [submission.pk]},
    )
    assert response.status_code in (200, 302)
    submission.refresh_from_db()
    assert submission.is_pending


def test_the_permission_can_come_from_a_group(client, viewer):
    submission = submitted(client)
    moderators = Group.objects.create(name="Moderators")
    moderators.permissions.add(Permission.objects.get(codename="moderate"))
    viewer.groups.add(moderators)
    client.force_login(viewer)
    assert client.post(approve_url(submission)).status_code == 302
    submission.refresh_from_db()
    assert submission.status == Submission.Status.APPROVED


def test_non_staff_reach_no_moderation_page(client):
    submission = submitted(client)
    member = User.objects.create_user("member", "m@example.org", "pw")
    change = suggested(Program.objects.get(slug="nuevo-amanecer"))
    urls = [
        reverse("admin:index"),
        reverse("admin:submissions_submission_changelist"),
        reverse("admin:submissions_submission_change", args=[submission.pk]),
        reverse("admin:submissions_changerequest_change", args=[change.pk]),
    ]
    for user in [None, member]:
        if user:
            client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 302, url
        for url in [
            approve_url(submission),
            reject_url(submission),
            reverse("admin:submissions_changerequest_apply", args=[change.pk]),
        ]:
            response = client.post(url, {"reason": "x"})
            assert response.status_code == 302 and "/admin/login/" in response["Location"]
    submission.refresh_from_db()
    change.refresh_from_db()
    assert submission.is_pending and change.is_pending


# --- Duplicates and merging ----------------------------------------------------------------


def test_a_possible_duplicate_is_flagged_with_a_link(client, admin_client):
    submission = submitted(client, organization_name="Operation Smile, Inc.")
    smile = Organization.objects.get(slug="operation-smile")
    listing = admin_client.get(
        reverse("admin:submissions_submission_changelist") + "?status__exact=pending"
    ).content.decode()
    assert "⚠ Operation Smile" in listing
    page = admin_client.get(
        reverse("admin:submissions_submission_change", args=[submission.pk])
    ).content.decode()
    assert "Possible duplicate" in page
    assert reverse("admin:programs_organization_change", args=[smile.pk]) in page
    flagged = admin_client.get(
        reverse("admin:submissions_submission_changelist") + "?duplicate=yes"
    )
    assert [s.pk for s in flagged.context["cl"].result_list] == [submission.pk]


def test_approving_can_merge_into_the_existing_organization(client, admin_client):
    submission = submitted(client, organization_name="Operation Smile, Inc.")
    created = submission.program.organization
    smile = Organization.objects.get(slug="operation-smile")
    admin_client.post(approve_url(submission), {"merge_into": smile.pk})
    submission.refresh_from_db()
    assert submission.program.organization == smile
    assert not Organization.objects.filter(pk=created.pk).exists()
    assert submission.program in Program.objects.published().filter(organization=smile)


def test_the_organization_to_merge_into_is_searched_not_listed(client, admin_client):
    """The page offers the flagged organization, and the admin's search for the others: it
    does not list every organization of the directory."""
    submission = submitted(client, organization_name="Operation Smile, Inc.")
    smile = Organization.objects.get(slug="operation-smile")
    page = admin_client.get(reverse("admin:submissions_submission_change", args=[submission.pk]))
    text = page.content.decode()
    start = text.index('<select name="merge_into"')
    select = text[start : text.index("</select>", start)]
    assert 'class="admin-autocomplete"' in select
    assert select.count("<option") == 2  # none, and the flagged one, chosen
    assert f'<option value="{smile.pk}" selected>Operation Smile</option>' in select
    assert "Leave it empty to keep the organization as submitted." in text
    assert "admin/js/autocomplete" in text
    found = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "programs",
            "model_name": "program",
            "field_name": "organization",
            "term": "restore",
        },
    ).json()
    assert [row["text"] for row in found["results"]] == [
        "Mission: Restore, Inc.",
        "Operation Restore Hope",
    ]


# --- Change requests -----------------------------------------------------------------------


def test_the_change_page_shows_current_beside_proposed(admin_client):
    program = Program.objects.get(slug="nuevo-amanecer")
    change = suggested(program, proposed={"min_commitment": "Three weeks"})
    text = admin_client.get(
        reverse("admin:submissions_changerequest_change", args=[change.pk])
    ).content.decode()
    assert "Three weeks" in text
    assert "Minimum time commitment" in text
    assert (program.min_commitment or "—") in text


def test_applying_a_change_updates_the_listing_and_its_verified_date(
    client, admin_client, admin_user, mailoutbox
):
    program = Program.objects.get(slug="nuevo-amanecer")
    change = suggested(
        program, proposed={"min_commitment": "Three weeks"}, reporter_email="r@example.org"
    )
    admin_client.post(
        reverse("admin:submissions_changerequest_apply", args=[change.pk]), {"note": "Checked"}
    )
    change.refresh_from_db()
    program.refresh_from_db()
    assert change.status == ChangeRequest.Status.APPLIED and change.reviewed_by == admin_user
    assert program.min_commitment == "Three weeks"
    assert program.last_verified_on == timezone.localdate()
    assert "Three weeks" in client.get(program.get_absolute_url()).content.decode()
    assert [m.to for m in mailoutbox] == [["r@example.org"]]
    assert LogEntry.objects.filter(object_id=str(program.pk)).exists()


def test_applying_program_ended_archives_it(client, admin_client):
    program = Program.objects.get(slug="nuevo-amanecer")
    change = suggested(program, kind=ChangeRequest.Kind.ENDED)
    admin_client.post(reverse("admin:submissions_changerequest_apply", args=[change.pk]))
    program.refresh_from_db()
    assert program.status == Program.Status.ARCHIVED
    assert client.get(program.get_absolute_url()).status_code == 404


def test_dismissing_leaves_the_listing_alone(admin_client):
    program = Program.objects.get(slug="nuevo-amanecer")
    before = program.min_commitment
    change = suggested(program, proposed={"min_commitment": "Spam"})
    admin_client.post(reverse("admin:submissions_changerequest_dismiss", args=[change.pk]))
    change.refresh_from_db()
    program.refresh_from_db()
    assert change.status == ChangeRequest.Status.DISMISSED
    assert program.min_commitment == before


def test_only_moderators_apply_changes(client, viewer):
    program = Program.objects.get(slug="nuevo-amanecer")
    change = suggested(program, proposed={"min_commitment": "Three weeks"})
    client.force_login(viewer)
    url = reverse("admin:submissions_changerequest_apply", args=[change.pk])
    assert client.post(url).status_code == 403
    change.refresh_from_db()
    assert change.is_pending


def test_an_unknown_field_in_a_change_request_is_ignored(admin_client):
    program = Program.objects.get(slug="nuevo-amanecer")
    change = suggested(program, proposed={"status": "pending", "slug": "hijack"})
    admin_client.post(reverse("admin:submissions_changerequest_apply", args=[change.pk]))
    program.refresh_from_db()
    assert (program.status, program.slug) == (Program.Status.PUBLISHED, "nuevo-amanecer")


# --- Constraints ---------------------------------------------------------------------------


def test_a_rejected_submission_must_have_a_reason_in_the_database(client):
    from django.db import IntegrityError, transaction

    submission = submitted(client)
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.filter(pk=submission.pk).update(
            status="rejected", reviewed_at=timezone.now(), rejection_reason=""
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.filter(pk=submission.pk).update(status="lost")
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.filter(pk=submission.pk).update(status="approved", reviewed_at=None)


# --- The language of the e-mails ------------------------------------------------------------


def in_spanish(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    return client


def test_the_submitter_hears_in_the_language_they_wrote_in_and_staff_in_the_sites(
    client, admin_client, admin_user, mailoutbox
):
    submission = submitted(in_spanish(client))
    assert submission.language == "es"
    received, staff = mailoutbox
    assert received.to == ["ana@example.org"]
    assert received.subject == f"Hemos recibido su programa (referencia {submission.reference})"
    assert staff.subject == "New program to review: Cleft surgery in Cusco"
    # Shown to every visitor once published: in the site's language.
    assert submission.program.source == "Submitted to the directory"
    # The moderator, in English, sees the language and approves: the answer is in Spanish.
    page = admin_client.get(reverse("admin:submissions_submission_change", args=[submission.pk]))
    assert "Spanish" in page.content.decode()
    mailoutbox.clear()
    admin_client.post(approve_url(submission))
    [approved] = mailoutbox
    assert approved.subject == "Su programa se ha publicado: Cleft surgery in Cusco"
    assert "Cleft surgery in Cusco" in approved.body


def test_a_rejection_is_in_the_submitters_language(client, admin_client, mailoutbox):
    submission = submitted(in_spanish(client))
    mailoutbox.clear()
    admin_client.post(reject_url(submission), {"reason": "No surgical component."})
    [rejected] = mailoutbox
    assert rejected.subject == f"Sobre su propuesta de programa {submission.reference}"
    assert "No surgical component." in rejected.body


def test_an_applied_suggestion_thanks_the_reporter_in_their_language(
    client, admin_client, mailoutbox
):
    from tests.public_forms import SUGGEST_SLUG, suggest_post

    response = in_spanish(client).post(
        f"/programs/{SUGGEST_SLUG}/suggest/", suggest_post(min_commitment="Three weeks")
    )
    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert change.language == "es"
    assert mailoutbox[-1].subject.startswith("Update suggested for ")
    page = admin_client.get(reverse("admin:submissions_changerequest_change", args=[change.pk]))
    assert "Spanish" in page.content.decode()
    mailoutbox.clear()
    admin_client.post(reverse("admin:submissions_changerequest_apply", args=[change.pk]))
    [thanks] = mailoutbox
    assert thanks.subject == f"Gracias: {change.program.name} está actualizado"


def test_a_listing_to_verify_is_asked_about_in_the_language_it_was_submitted_in(
    client, admin_client, mailoutbox
):
    from programs.models import Contact

    submission = submitted(in_spanish(client))
    admin_client.post(approve_url(submission))
    Program.objects.filter(pk=submission.program.pk).update(
        last_verified_on=datetime.date(2025, 3, 14)
    )
    # Another organization's listing, never submitted through the site: the site's language.
    seeded = ProgramFactory(
        name="Old listing", organization__name="Old Org", last_verified_on=datetime.date(2025, 1, 2)
    )
    Contact.objects.create(program=seeded, name="Someone", email="someone@old.example")
    mailoutbox.clear()
    call_command("stale_listings", "--email", stdout=io.StringIO())
    spanish, english = sorted(mailoutbox, key=lambda mail: mail.to)
    assert spanish.to == ["rosa@andes.example.org"]
    assert spanish.subject == (
        "Por favor, revise su ficha en el Directorio de Cirugía Humanitaria: Andes Cleft Team"
    )
    assert "verificado por última vez el 14 de marzo de 2025" in spanish.body
    assert "Para corregirlo o decirnos que ha terminado:" in spanish.body
    assert english.to == ["someone@old.example"]
    assert english.subject == (
        "Please check your listing in the Humanitarian Surgery Directory: Old Org"
    )
    assert "- Old listing (last verified 2 January 2025)" in english.body
