"""The public side of submissions: the form, what it refuses and keeps, what is saved, the
e-mails, and that nothing pending shows anywhere public."""

import pytest
from django.contrib.auth.models import Permission, User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils.html import escape

from programs.models import Organization, Program
from submissions.models import ChangeRequest, Submission
from tests.factories import ProgramFactory, submission_post

pytestmark = pytest.mark.django_db

SUBMIT = "/submit/"
SUGGESTIONS = "/submit/organizations.json"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def moderator():
    user = User.objects.create_user("mod", "mod@example.org", "pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="moderate"))
    return user


def submit(client, **overrides):
    return client.post(SUBMIT, submission_post(**overrides))


def test_submit_page_has_every_part_of_the_form(client):
    response = client.get(SUBMIT)
    text = response.content.decode()
    assert response.status_code == 200
    for name in [
        "organization_name",
        "name",
        "description",
        "specialties",
        "other_specialties",
        "frequency",
        "next_mission_starts_on",
        "resources_required",
        "min_commitment",
        "languages",
        "impact_text",
        "submitter_name",
        "submitter_email",
        "submitter_relation",
        "places-0-country",
        "places-0-locality",
        "staffing-0-role",
        "staffing-0-accepts_trainees",
        "contacts-0-name",
        "contacts-0-is_name_public",
    ]:
        assert f'name="{name}"' in text, name
    assert 'name="csrfmiddlewaretoken"' in text


def test_a_submission_is_saved_pending_with_everything_it_came_with(client):
    response = submit(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("submissions:thanks")
    submission = Submission.objects.get()
    program = submission.program
    assert submission.status == Submission.Status.PENDING
    assert program.status == Program.Status.PENDING
    assert program.name == "Cleft surgery in Cusco"
    assert program.organization.name == "Andes Cleft Team"
    assert submission.is_new_organization
    assert program.languages == "Spanish, Quechua"
    assert program.trains_local_staff is True
    assert (program.frequency, program.frequency_min, program.frequency_max) == ("per-year", 2, 3)
    assert [(p.country.code, p.locality) for p in program.places.all()] == [("PE", "Cusco")]
    [staffing] = program.staffing_requirements.all()
    assert (staffing.role, staffing.min_count, staffing.max_count) == ("plastic-surgeon", 2, 4)
    assert staffing.accepts_trainees
    [contact] = program.contacts.all()
    assert (contact.name, contact.email, contact.is_name_public) == (
        "Dr. Rosa Mamani",
        "rosa@andes.example.org",
        True,
    )
    assert str(submission.next_mission_starts_on) == "2027-03-01"
    assert submission.submitter_email == "ana@example.org"


def test_specialties_are_chosen_from_the_taxonomy(client):
    from programs.models import Specialty

    cleft = Specialty.objects.get(slug="cleft-lip-and-palate")
    submit(client, specialties=[str(cleft.pk)], other_specialties="hypospadias")
    submission = Submission.objects.get()
    assert list(submission.program.specialties.all()) == [cleft]
    assert submission.other_specialties == "hypospadias"


@pytest.mark.parametrize("value", ["99999999999999999999999", "-99999999999999999999999", "0"])
def test_a_specialty_id_that_is_no_choice_is_refused_with_a_message(client, value):
    # An id beyond the database's integers once answered 500 (SQLite cannot even compare it).
    data = submission_post(specialties=[value])
    response = client.post(SUBMIT, data)
    assert response.status_code == 400
    assert response.context["form"].errors["specialties"]
    assert escape(data["name"]) in response.content.decode()
    assert not Submission.objects.exists()


def test_thank_you_page_shows_the_reference_and_what_happens_next(client):
    response = client.get(submit(client)["Location"])
    submission = Submission.objects.get()
    text = response.content.decode()
    assert submission.reference in text
    assert "What happens next" in text
    # The page shows nothing of the pending program itself.
    assert "Cleft surgery in Cusco" not in text


def test_thank_you_page_without_a_submission_sends_to_the_form(client):
    response = client.get(reverse("submissions:thanks"))
    assert response.status_code == 302
    assert response["Location"] == SUBMIT


def test_submitter_gets_the_reference_and_moderators_are_told(
    client, mailoutbox, moderator, settings
):
    settings.MANAGERS = [("Desk", "desk@example.org")]
    User.objects.create_user("plain-staff", "staff@example.org", "pw", is_staff=True)
    submit(client)
    submission = Submission.objects.get()
    to_submitter, to_staff = mailoutbox
    assert to_submitter.to == ["ana@example.org"]
    assert submission.reference in to_submitter.subject
    assert submission.reference in to_submitter.body
    assert "What happens next" in to_submitter.body
    assert sorted(to_staff.to) == ["desk@example.org", "mod@example.org"]
    assert "Cleft surgery in Cusco" in to_staff.subject
    assert f"/admin/submissions/submission/{submission.pk}/change/" in to_staff.body


def test_a_failing_mail_server_loses_no_submission(client, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 1},
        }
    }
    response = submit(client)
    assert response.status_code == 302
    assert Submission.objects.count() == 1


def test_pending_submission_is_absent_from_every_public_page(client):
    totals_before = client.get("/").context["totals"]
    submit(
        client,
        name="Zyxwv Hidden Program",
        organization_name="Qqqq Hidden Org",
        **{"places-0-country": "NR"},
    )
    program = Program.objects.get(name="Zyxwv Hidden Program")
    for url in ["/", "/programs/", "/countries/", "/countries/nr/", "/specialties/"]:
        text = client.get(url).content.decode()
        assert "Zyxwv" not in text and "Qqqq" not in text, url
    for query in ["q=Zyxwv", "q=Qqqq", "country=NR"]:
        response = client.get(f"/programs/?{query}")
        assert response.context["result_count"] == 0, query
    assert "Nauru" not in client.get("/countries/").content.decode()
    assert client.get(program.get_absolute_url()).status_code == 404
    assert client.get(program.organization.get_absolute_url()).status_code == 404
    assert client.get(reverse("submissions:suggest", args=[program.slug])).status_code == 404
    assert client.get("/").context["totals"] == totals_before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "x" * 201}, "name", "at most 200 characters"),
        ({"description": ""}, "description", "This field is required."),
        ({"description": "x" * 3001}, "description", "at most 3000 characters"),
        (
            {"organization_name": "  "},
            "organization_name",
            "Enter the name of the organization that runs it.",
        ),
        ({"organization_website": "not a url"}, "organization_website", "Enter a valid URL."),
        ({"website": "javascript:alert(1)"}, "website", "Enter a valid URL."),
        ({"frequency": "weekly"}, "frequency", "Select a valid choice."),
        ({"frequency_min": "5", "frequency_max": "2"}, "frequency_max", "must not be smaller"),
        ({"frequency_min": "-1"}, "frequency_min", "greater than or equal to 1"),
        ({"frequency_min": "many"}, "frequency_min", "Enter a whole number."),
        ({"next_mission_starts_on": "31/31/2027"}, "next_mission_starts_on", "Enter a valid date."),
        ({"next_mission_ends_on": "2027-02-01"}, "next_mission_ends_on", "cannot end before"),
        ({"submitter_email": "ana@"}, "submitter_email", "Enter a valid email address."),
        ({"submitter_name": ""}, "submitter_name", "This field is required."),
        ({"submitter_relation": "boss"}, "submitter_relation", "Select a valid choice."),
        ({"trains_local_staff": "maybe"}, "trains_local_staff", "Select a valid choice."),
        ({"languages": "x" * 201}, "languages", "at most 200 characters"),
        ({"specialties": ["999999"]}, "specialties", "Select a valid choice."),
        (
            {"places-0-country": "", "places-0-locality": ""},
            "places",
            "Please submit at least 1 form.",
        ),
        ({"places-0-country": "XX"}, "places-0-country", "Select a valid choice."),
        ({"staffing-0-role": "chef"}, "staffing-0-role", "Select a valid choice."),
        (
            {"staffing-0-min_count": "9", "staffing-0-max_count": "3"},
            "staffing-0-max_count",
            "must not be smaller",
        ),
        (
            {"contacts-0-email": "", "contacts-0-phone": ""},
            "contacts-0-email",
            "e-mail address or a phone number",
        ),
        ({"contacts-0-email": "rosa"}, "contacts-0-email", "Enter a valid email address."),
        ({"name": "null\x00byte"}, "name", "Null characters are not allowed."),
    ],
)
def test_bad_input_is_explained_and_everything_typed_is_kept(client, overrides, field, message):
    response = submit(client, **overrides)
    text = response.content.decode()
    assert response.status_code == 400
    assert message in text
    assert Submission.objects.count() == 0
    # What the user typed elsewhere is still in the form.
    if field != "submitter_name":
        assert 'value="Ana Quispe"' in text
    if field != "description":
        assert "Two-week missions operating on children" in text
    if not field.startswith("contacts"):
        assert 'value="rosa@andes.example.org"' in text
    assert "Everything you typed is still here" in text


def test_the_name_of_a_listed_organization_joins_the_program_to_it(client):
    organization = Organization.objects.get(slug="operation-smile")
    # As typed on a phone: another case, spaces around and between.
    submit(client, organization_name="  operation   SMILE ", organization_website="")
    submission = Submission.objects.get()
    assert submission.program.organization == organization
    assert not submission.is_new_organization
    assert Organization.objects.filter(name__iexact="operation smile").count() == 1


def test_a_name_typed_without_its_accents_finds_the_organization_on_postgresql(client):
    caritas = Organization.objects.get(slug="mision-caritas-felices")
    suggested = client.get(SUGGESTIONS, {"q": "mision cari"}).json()["organizations"]
    submit(client, organization_name="MISION CARITAS FELICES")
    submission = Submission.objects.get()
    if connection.vendor == "postgresql":
        assert suggested == ["Misión Caritas Felices"]
        assert submission.program.organization == caritas
        assert not submission.is_new_organization
    else:
        # SQLite compares the letters as they are: a new organization, flagged as similar
        # (accents aside) for staff to merge.
        assert suggested == []
        assert submission.is_new_organization
        assert submission.similar_organization == caritas
    assert client.get(SUGGESTIONS, {"q": "misión cari"}).json()["organizations"] == [
        "Misión Caritas Felices"
    ]


def test_a_name_two_listed_organizations_share_makes_a_new_one(client):
    first = ProgramFactory(organization__name="Cleft Care").organization
    second = ProgramFactory(organization__name="Cleft care", organization__slug="cleft-care-2")
    second = second.organization
    submit(client, organization_name="Cleft Care")
    submission = Submission.objects.get()
    assert submission.is_new_organization
    assert submission.program.organization not in {first, second}
    assert submission.similar_organization in {first, second}


def test_only_organizations_with_published_programs_are_joined_or_suggested(client):
    pending = ProgramFactory(pending=True, organization__name="Secret pending org")
    ProgramFactory(organization__name="Secret public org")
    assert "Secret pending org" not in client.get(SUBMIT).content.decode()
    answer = client.get(SUGGESTIONS, {"q": "secret"}).json()
    assert answer == {"organizations": ["Secret public org"]}
    submit(client, organization_name="Secret pending org")
    submission = Submission.objects.get()
    assert submission.is_new_organization
    assert submission.program.organization != pending.organization


def test_suggestions_list_the_names_that_start_with_the_text_first(client):
    for name in ["Smile Train", "A Smile for Peru", "Operation Smile Ghana", "Smiles United"]:
        ProgramFactory(organization__name=name)
    answer = client.get(SUGGESTIONS, {"q": " smile "})
    assert answer.status_code == 200
    assert answer.json()["organizations"] == [
        "Smile Network International",
        "Smile Train",
        "Smiles United",
        "A Smile for Peru",
        "Operation Smile",
        "Operation Smile Ghana",
    ]


def test_suggestions_are_at_most_ten(client):
    for n in range(12):
        ProgramFactory(organization__name=f"Hand Surgery Team {n:02}")
    names = client.get(SUGGESTIONS, {"q": "hand surgery team"}).json()["organizations"]
    assert names == [f"Hand Surgery Team {n:02}" for n in range(10)]


@pytest.mark.parametrize("query", ["", "q=", "q=s", "q=%00%00", "q=" + "x" * 201, "q[]=a&q=b"])
def test_suggestions_for_too_little_or_malformed_text_are_none(client, query):
    response = client.get(f"{SUGGESTIONS}?{query}")
    assert response.status_code == 200
    assert response.json() == {"organizations": []}


@pytest.mark.parametrize(
    "value",
    [
        "<script>alert('x')</script>",
        "'; DROP TABLE programs_program; --",
        "\u202eevil\u202c right-to-left",
        "Cirugía 🏥 para niños",
        "x" * 200,
    ],
)
def test_any_text_is_stored_as_typed_and_shown_escaped(client, admin_client, value):
    response = submit(client, name=value, description=value, organization_name=value[:200])
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.program.name == value
    admin_client.post(reverse("admin:submissions_submission_approve", args=[submission.pk]))
    page = client.get(Program.objects.get(pk=submission.program_id).get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "<script>alert" not in text
    assert escape(value) in text


def test_the_same_place_twice_is_saved_once(client):
    response = submit(client, **{"places-1-country": "PE", "places-1-locality": "Cusco"})
    assert response.status_code == 302
    assert Submission.objects.get().program.places.count() == 1


def test_two_programs_of_the_same_name_get_their_own_addresses(client):
    submit(client)
    cache.clear()
    submit(client)
    slugs = sorted(
        Program.objects.filter(name="Cleft surgery in Cusco").values_list("slug", flat=True)
    )
    assert slugs == ["cleft-surgery-in-cusco", "cleft-surgery-in-cusco-2"]


def test_a_name_without_latin_letters_still_gets_an_address(client):
    assert submit(client, name="برنامج الجراحة", organization_name="منظمة").status_code == 302
    assert Submission.objects.get().program.slug.startswith("program")


def test_the_honeypot_refuses_politely_and_keeps_what_was_typed(client, mailoutbox):
    response = submit(client, website_url="http://spam.example")
    text = response.content.decode()
    assert response.status_code == 400
    assert "Leave this field empty" in text
    assert "Cleft surgery in Cusco" in text
    assert Submission.objects.count() == 0
    assert mailoutbox == []


def test_the_rate_limit_refuses_politely_and_keeps_what_was_typed(client, settings):
    settings.SUBMISSION_RATE_LIMIT = 2
    assert submit(client).status_code == 302
    assert submit(client, name="Second").status_code == 302
    response = submit(client, name="Third one")
    text = response.content.decode()
    assert response.status_code == 429
    assert "Nothing you typed is lost" in text
    assert 'value="Third one"' in text
    assert Submission.objects.count() == 2


def test_the_rate_limit_is_per_address(client, settings):
    settings.SUBMISSION_RATE_LIMIT = 1
    assert client.post(SUBMIT, submission_post(), REMOTE_ADDR="192.0.2.1").status_code == 302
    assert client.post(SUBMIT, submission_post(), REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.post(SUBMIT, submission_post(), REMOTE_ADDR="192.0.2.2").status_code == 302


def test_forms_with_errors_do_not_use_up_the_rate_limit(client, settings):
    settings.SUBMISSION_RATE_LIMIT = 1
    for _attempt in range(3):
        assert submit(client, name="").status_code == 400
    assert submit(client).status_code == 302


def test_a_similar_organization_is_flagged(client):
    submit(client, organization_name="Operation Smile, Inc.", name="Smiles for Peru")
    submission = Submission.objects.get()
    assert submission.similar_organization == Organization.objects.get(slug="operation-smile")


def test_a_similar_program_is_flagged(client):
    submit(client, name="Nuevo amanecer")
    assert Submission.objects.get().similar_program.slug == "nuevo-amanecer"


def test_a_distinct_name_is_not_flagged(client):
    submit(client, organization_name="Andes Cleft Team", name="Cleft surgery in Cusco")
    submission = Submission.objects.get()
    assert submission.similar_organization is None
    assert submission.similar_program is None


def test_no_state_change_on_get(client):
    client.get(SUBMIT + "?" + "&".join(f"{k}=v" for k in ["name", "description"]))
    assert Submission.objects.count() == 0


# --- Members -------------------------------------------------------------------------------


def test_members_see_their_own_submissions_and_status(client):
    member = User.objects.create_user("ana", "ana@example.org", "pw", first_name="Ana")
    other = User.objects.create_user("bob", "bob@example.org", "pw")
    client.force_login(member)
    form = client.get(SUBMIT).content.decode()
    assert 'value="ana@example.org"' in form  # prefilled
    submit(client)
    page = client.get(reverse("submissions:mine")).content.decode()
    reference = Submission.objects.get().reference
    assert reference in page and "Pending review" in page
    client.force_login(other)
    assert reference not in client.get(reverse("submissions:mine")).content.decode()


def test_my_submissions_needs_signing_in(client):
    response = client.get(reverse("submissions:mine"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_members_sign_in_with_the_site_form(client):
    User.objects.create_user("ana", "ana@example.org", "pw")
    response = client.post(reverse("login"), {"username": "ana", "password": "pw"})
    assert response.status_code == 302
    assert response["Location"] == reverse("submissions:mine")


def test_the_form_works_without_an_account(client):
    assert submit(client).status_code == 302
    assert Submission.objects.get().submitted_by is None


# --- Suggest an update ---------------------------------------------------------------------


def suggest_url(slug="nuevo-amanecer"):
    return reverse("submissions:suggest", args=[slug])


def test_every_program_page_links_to_suggest_an_update(client):
    text = client.get("/programs/nuevo-amanecer/").content.decode()
    assert suggest_url() in text


def test_the_update_form_starts_from_the_current_values(client):
    program = Program.objects.get(slug="nuevo-amanecer")
    text = client.get(suggest_url()).content.decode()
    assert program.min_commitment in text or program.description[:40] in text


def post_suggestion(client, program, **overrides):
    data = {name: getattr(program, name) for name in ChangeRequest.PROPOSABLE_FIELDS} | {
        "kind": "dates",
        "message": "",
        "reporter_name": "",
        "reporter_email": "",
        "website_url": "",
    }
    data.update(overrides)
    return client.post(suggest_url(program.slug), data)


def test_a_suggestion_stores_only_the_changed_fields_pending(client, mailoutbox, moderator):
    program = Program.objects.get(slug="nuevo-amanecer")
    response = post_suggestion(client, program, min_commitment="Three weeks", message="New rule")
    assert response.status_code == 302
    assert response["Location"] == program.get_absolute_url()
    change = ChangeRequest.objects.get()
    assert change.status == ChangeRequest.Status.PENDING
    assert change.proposed == {"min_commitment": "Three weeks"}
    # Nothing changes on the listing until staff apply it.
    program.refresh_from_db()
    assert program.min_commitment != "Three weeks"
    assert [m.to for m in mailoutbox] == [["mod@example.org"]]
    followed = client.get(response["Location"]).content.decode()
    assert change.reference in followed


def test_a_suggestion_must_say_something(client):
    program = Program.objects.get(slug="nuevo-amanecer")
    response = post_suggestion(client, program, kind="outdated")
    assert response.status_code == 400
    assert "Tell us what has changed" in response.content.decode()
    assert ChangeRequest.objects.count() == 0


def test_program_ended_needs_no_more_words(client):
    program = Program.objects.get(slug="nuevo-amanecer")
    assert post_suggestion(client, program, kind="ended").status_code == 302


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": "nonsense"}, "Select a valid choice."),
        ({"website": "ftp:/bad"}, "Enter a valid URL."),
        ({"reporter_email": "nope"}, "Enter a valid email address."),
        ({"message": "x" * 3001}, "at most 3000 characters"),
    ],
)
def test_bad_suggestions_are_explained_and_kept(client, overrides, message):
    program = Program.objects.get(slug="nuevo-amanecer")
    response = post_suggestion(client, program, min_commitment="Kept value", **overrides)
    text = response.content.decode()
    assert response.status_code == 400
    assert message in text
    assert "Kept value" in text


def test_suggestions_have_the_honeypot_and_rate_limit(client, settings):
    program = Program.objects.get(slug="nuevo-amanecer")
    assert post_suggestion(client, program, kind="ended", website_url="x").status_code == 400
    settings.SUBMISSION_RATE_LIMIT = 1
    assert post_suggestion(client, program, kind="ended").status_code == 302
    assert post_suggestion(client, program, kind="ended").status_code == 429
    assert ChangeRequest.objects.count() == 1


def test_no_suggestions_for_unpublished_programs(client):
    for program in [
        ProgramFactory(pending=True),
        ProgramFactory(rejected=True),
        ProgramFactory(archived=True),
    ]:
        assert client.get(suggest_url(program.slug)).status_code == 404
        assert post_suggestion(client, program, kind="ended").status_code == 404


# --- Stale listings ------------------------------------------------------------------------


def test_stale_listings_are_listed_and_their_contacts_asked(mailoutbox, capsys):
    import datetime

    from django.utils import timezone

    from programs.models import Contact

    old = timezone.localdate() - datetime.timedelta(days=400)
    stale = ProgramFactory(name="Old listing", last_verified_on=old, organization__name="Old Org")
    Contact.objects.create(program=stale, name="Someone", email="someone@old.example")
    ProgramFactory(name="Fresh listing", last_verified_on=timezone.localdate())
    ProgramFactory(name="Old but pending", pending=True, last_verified_on=old)
    call_command("stale_listings", "--email")
    out = capsys.readouterr().out
    assert "Old Org" in out and "Old listing" in out
    assert "Fresh listing" not in out and "Old but pending" not in out
    [mail] = mailoutbox
    assert mail.to == ["someone@old.example"]
    assert suggest_url(stale.slug) in mail.body


def test_stale_listings_can_include_never_verified_ones(capsys):
    ProgramFactory(name="Never checked", last_verified_on=None)
    call_command("stale_listings")
    assert "Never checked" not in capsys.readouterr().out
    call_command("stale_listings", "--include-unverified")
    assert "Never checked" in capsys.readouterr().out


def test_country_options_and_the_organization_are_escaped_and_kept(client):
    tricky = '<b>Bold & "quoted"</b> Surgeons'
    page = client.get(SUBMIT).content.decode()
    assert '<option value="PE">Peru</option>' in page
    # A form sent back with an error keeps the organization typed and the country chosen.
    response = submit(client, organization_name=tricky, name="", **{"places-0-country": "PE"})
    assert response.status_code == 400
    text = response.content.decode()
    assert f'value="{escape(tricky)}"' in text
    assert "<b>Bold" not in text
    assert '<option value="PE" selected>Peru</option>' in text
