"""The contact relay of program pages: the message reaches the program's contacts without their
addresses ever being shown, the sender gets a copy, and the form resists robots and abuse."""

import smtplib

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from .factories import OrganizationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

MESSAGE = {
    "name": "Dr. Ada Sender",
    "email": "ada@sender.example",
    "message": "I am a hand surgeon and could join your next mission in March.",
    "website_url": "",
}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def program():
    return ProgramFactory(
        name="Reachable program",
        website="https://reachable.example/",
        organization=OrganizationFactory(name="Reachable org", phone="+41 44 000 00 00"),
        contacts=[
            {"name": "Dr. One", "email": "one@clinic.example", "phone": "+1 555 0100"},
            {"name": "Dr. Two", "email": "two@clinic.example"},
            {"name": "Dr. Three, no e-mail"},
            {"name": "Dr. One again", "email": "one@clinic.example"},
        ],
    )


def contact_url(program):
    return f"/programs/{program.slug}/contact/"


def send(client, program, **changes):
    return client.post(contact_url(program), {**MESSAGE, **changes})


def test_program_page_links_to_the_contact_form(client, program):
    text = client.get(program.get_absolute_url()).content.decode()
    assert f'href="{contact_url(program)}"' in text
    assert "goes by e-mail to the program’s contacts" in text
    # No form of its own: the program's page holds no visitor's CSRF token and can be cached.
    assert 'name="csrfmiddlewaretoken"' not in text


def test_the_contact_page_has_the_form(client, program):
    response = client.get(contact_url(program))
    assert response.status_code == 200
    text = response.content.decode()
    assert f'action="{contact_url(program)}#contact"' in text
    assert 'name="csrfmiddlewaretoken"' in text
    assert "goes by e-mail to the program’s contacts" in text
    for field in ["name", "email", "message", "website_url"]:
        assert f'name="{field}"' in text


def test_message_goes_to_every_contact_with_reply_to_the_sender(client, program, mailoutbox):
    response = send(client, program)
    assert response.status_code == 302
    assert response["Location"] == program.get_absolute_url() + "#contact"
    relayed, _copy = mailoutbox
    assert relayed.to == ["one@clinic.example", "two@clinic.example"]
    assert relayed.reply_to == ['"Dr. Ada Sender" <ada@sender.example>']
    assert relayed.from_email == "directory@localhost"
    assert relayed.subject == "A message about Reachable program from the directory"
    assert MESSAGE["message"] in relayed.body
    assert "http://testserver/programs/reachable-program/" in relayed.body
    assert "Dr. Ada Sender <ada@sender.example>" in relayed.body
    assert relayed.message()["Reply-To"] == '"Dr. Ada Sender" <ada@sender.example>'


def test_sender_gets_a_copy_that_does_not_reveal_the_contacts(client, program, mailoutbox):
    send(client, program)
    copy = mailoutbox[1]
    assert copy.to == ["ada@sender.example"]
    assert copy.subject == "Your message to Reachable program"
    assert MESSAGE["message"] in copy.body
    raw = copy.message().as_string()
    assert "clinic.example" not in raw
    assert not copy.reply_to and not copy.cc and not copy.bcc


def test_success_is_confirmed_on_the_program_page(client, program):
    response = send(client, program, email="ada@sender.example")
    page = client.get(response["Location"]).content.decode()
    assert "Your message has been sent to Reachable program." in page
    assert "A copy is on its way to ada@sender.example." in page


def test_without_contact_addresses_the_message_goes_to_staff(client, settings, mailoutbox):
    settings.STAFF_EMAIL = "staff@directory.example"
    lonely = ProgramFactory(name="Lonely program", contacts=["Dr. No Address"])
    text = client.get(lonely.get_absolute_url()).content.decode()
    assert "your message goes to the directory’s staff" in text
    send(client, lonely)
    relayed, copy = mailoutbox
    assert relayed.to == ["staff@directory.example"]
    assert relayed.subject == "For Lonely program: a message through the directory"
    assert "please pass it on" in relayed.body
    assert relayed.reply_to == ['"Dr. Ada Sender" <ada@sender.example>']
    assert copy.to == ["ada@sender.example"]


def test_staff_address_defaults_to_the_directorys_own(settings):
    assert settings.STAFF_EMAIL == settings.DEFAULT_FROM_EMAIL


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "x" * 101}, "name", "at most 100 characters"),
        ({"name": "Ada\nBcc: victim@example.org"}, "name", "on one line"),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"email": ""}, "email", "This field is required."),
        ({"message": "Hi"}, "message", "at least 10 characters"),
        ({"message": "x" * 5001}, "message", "shorten the message to 5,000 characters"),
    ],
)
def test_bad_input_shows_the_form_again_with_everything_typed(
    client, program, mailoutbox, changes, field, message
):
    response = send(client, program, **changes)
    assert response.status_code == 400
    assert mailoutbox == []
    form = response.context["contact_form"]
    assert list(form.errors) == [field]
    text = response.content.decode()
    assert message in text
    assert "The message was not sent yet" in text
    assert 'aria-invalid="true"' in text
    # What was typed comes back.
    for name in ["name", "email", "message"]:
        if name not in changes:
            assert MESSAGE[name] in text
    # The page names the program, with its contact form.
    assert "<h1>Reachable program</h1>" in text


def test_format_characters_in_names_are_welcome(client, program, mailoutbox):
    # Persian and other scripts join letters with the zero-width non-joiner.
    assert send(client, program, name="Dr. Sara Mo\u200chammadi").status_code == 302
    assert len(mailoutbox) == 2


def test_honeypot_sends_nothing_and_says_how_else_to_reach_the_program(client, program, mailoutbox):
    response = send(client, program, website_url="http://spam.example/")
    assert response.status_code == 400
    assert mailoutbox == []
    text = response.content.decode()
    assert "a field meant to stay empty was filled in" in text
    assert 'href="https://reachable.example/"' in text
    assert "+1 555 0100" in text and "+41 44 000 00 00" in text
    assert MESSAGE["message"] in text  # given back, to copy
    assert "clinic.example" not in text


def test_rate_limit_refuses_politely_after_the_limit(client, program, settings, mailoutbox):
    for _ in range(settings.CONTACT_LIMIT):
        assert send(client, program).status_code == 302
    assert len(mailoutbox) == 2 * settings.CONTACT_LIMIT
    response = send(client, program, message="One message too many, but keep my words please.")
    assert response.status_code == 429
    assert response["Retry-After"] == str(settings.CONTACT_WINDOW)
    assert len(mailoutbox) == 2 * settings.CONTACT_LIMIT
    text = response.content.decode()
    assert "several messages came from your address in the last hour" in text
    assert "One message too many, but keep my words please." in text
    assert "in an hour" in text
    assert "clinic.example" not in text


def test_rate_limit_is_per_address(client, program, settings, mailoutbox):
    for _ in range(settings.CONTACT_LIMIT):
        send(client, program)
    assert send(client, program).status_code == 429
    other = client.post(contact_url(program), MESSAGE, REMOTE_ADDR="192.0.2.50")
    assert other.status_code == 302


def test_invalid_forms_do_not_use_up_the_limit(client, program, settings):
    for _ in range(settings.CONTACT_LIMIT + 2):
        assert send(client, program, email="nope").status_code == 400
    assert send(client, program).status_code == 302


def test_a_mail_server_failure_keeps_the_message(client, program, monkeypatch, mailoutbox):
    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    response = send(client, program)
    assert response.status_code == 503
    text = response.content.decode()
    assert "could not be sent just now" in text
    assert MESSAGE["message"] in text


def test_a_failed_copy_still_counts_as_sent(client, program, monkeypatch, mailoutbox):
    real = mail.backends.locmem.EmailBackend.send_messages

    def copy_fails(self, messages):
        if messages[0].to == [MESSAGE["email"]]:
            raise smtplib.SMTPRecipientsRefused({})
        return real(self, messages)

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", copy_fails)
    assert send(client, program).status_code == 302
    assert [m.to for m in mailoutbox] == [["one@clinic.example", "two@clinic.example"]]


@pytest.mark.parametrize("state", ["pending", "rejected", "archived"])
def test_only_published_programs_can_be_contacted(client, mailoutbox, state):
    hidden = ProgramFactory(contacts=[{"name": "X", "email": "x@hidden.example"}], **{state: True})
    assert send(client, hidden).status_code == 404
    assert client.get(contact_url(hidden)).status_code == 404
    assert mailoutbox == []


def test_the_contact_page_is_never_cached(client, program, settings):
    settings.PAGE_CACHE = True
    client.get(contact_url(program))
    assert not client.get(contact_url(program)).has_header("X-Page-Cache")


def test_contact_form_needs_the_csrf_token(program, mailoutbox):
    response = Client(enforce_csrf_checks=True).post(contact_url(program), MESSAGE)
    assert response.status_code == 403
    assert mailoutbox == []


# --- Addresses are for staff only ----------------------------------------------------------


def test_staff_see_the_contacts_addresses(admin_client, program):
    text = admin_client.get(program.get_absolute_url()).content.decode()
    assert 'href="mailto:one@clinic.example"' in text
    assert "two@clinic.example" in text
    assert "shown to staff only" in text


def test_signed_in_non_staff_do_not_see_the_addresses(client, django_user_model, program):
    user = django_user_model.objects.create_user("member", "member@example.org", "pw-123456789")
    client.force_login(user)
    assert "clinic.example" not in client.get(program.get_absolute_url()).content.decode()
