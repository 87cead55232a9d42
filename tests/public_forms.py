"""
Every form a visitor can POST, with what a valid entry looks like and which of its fields
take free text. The CSRF, no-change-on-GET, injection and fuzzing tests go through this list,
and a test crawls the public pages to check that no POST form is missing from it: a form
added to the site is added here, with its URL, valid data and text fields.
"""

from dataclasses import dataclass

from django.apps import apps

from tests.factories import submission_post

SUGGEST_SLUG = "nuevo-amanecer"


def suggest_post(**overrides):
    """A valid "suggest an update": new dates in the message, the corrections as the browser
    sends them (the program's current values)."""
    from programs.models import Program
    from submissions.models import ChangeRequest

    program = Program.objects.get(slug=SUGGEST_SLUG)
    data = {name: getattr(program, name) for name in ChangeRequest.PROPOSABLE_FIELDS}
    data.update(
        kind=ChangeRequest.Kind.OUTDATED,
        message="The next mission is in May.",
        reporter_name="Ana Quispe",
        reporter_email="ana@example.org",
        website_url="",
    )
    data.update(overrides)
    return data


def login_post(**overrides):
    return {"username": "nobody", "password": "not-the-password", **overrides}


@dataclass(frozen=True)
class PublicForm:
    route: str  # the URL name of the page the form is on and posts to
    url: str
    valid_data: object  # a function returning valid POST data
    text_fields: tuple = ()
    creates: str = ""  # "app.Model" that a successful POST adds a row to
    member: bool = False  # only for a signed-in member (MEMBER, password "pw")

    def __str__(self):
        return self.route

    def model(self):
        return apps.get_model(self.creates) if self.creates else None


PUBLIC_FORMS = [
    PublicForm(
        "submissions:submit",
        "/submit/",
        submission_post,
        text_fields=(
            "organization_name",
            "name",
            "description",
            "other_specialties",
            "needs_text",
            "frequency_text",
            "resources_required",
            "min_commitment",
            "languages",
            "impact_text",
            "submitter_name",
            "places-0-locality",
            "contacts-0-name",
            "contacts-0-role",
            "contacts-0-phone",
        ),
        creates="submissions.Submission",
    ),
    PublicForm(
        "submissions:suggest",
        f"/programs/{SUGGEST_SLUG}/suggest/",
        suggest_post,
        text_fields=(
            "message",
            "reporter_name",
            "description",
            "needs_text",
            "location_text",
            "frequency_text",
            "min_commitment",
            "resources_required",
            "languages",
        ),
        creates="submissions.ChangeRequest",
    ),
    PublicForm("login", "/accounts/login/", login_post, text_fields=("username", "password")),
    PublicForm("admin:login", "/admin/login/", login_post, text_fields=("username", "password")),
    PublicForm(
        "password_reset",
        "/accounts/password_reset/",
        lambda: {"email": "nobody@example.org"},
        text_fields=("email",),
    ),
    PublicForm(
        "password_change",
        "/accounts/password_change/",
        lambda: {
            "old_password": "pw",
            "new_password1": "a-new-long-password-42",
            "new_password2": "a-new-long-password-42",
        },
        text_fields=("old_password", "new_password1"),
        member=True,
    ),
    PublicForm("logout", "/accounts/logout/", dict, member=True),
    PublicForm(
        "programs:contact",
        f"/programs/{SUGGEST_SLUG}/contact/",
        lambda: {
            "name": "Dr. Ada Sender",
            "email": "ada@sender.example",
            "message": "I could join your next mission as a hand surgeon.",
            "website_url": "",
        },
        text_fields=("name", "message"),
    ),
]

# Forms that post without a CSRF token, on purpose: the language switcher in every page's
# footer (it only sets the visitor's language cookie, and a token would make every public page
# uncacheable; see directory/urls.py).
CSRF_EXEMPT_ROUTES = {"set_language"}

MEMBER = "member"

FORMS_BY_ROUTE = {form.route: form for form in PUBLIC_FORMS}
