"""Workflow of the public directory: relaying a visitor's message to a program's contacts.

The contacts' addresses never leave the server: the visitor writes through the program's
page, the contacts get the message with Reply-To the visitor, and the visitor's copy does
not name them. Nothing is stored."""

import logging
import smtplib
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class RelayFailed(Exception):
    """The mail server could not take the message: nothing reached the program."""


def contact_addresses(program):
    """The program's contacts' e-mail addresses, in their order, without repeats. Uses the
    prefetched contacts of `for_detail()`."""
    return list(dict.fromkeys(c.email for c in program.contacts.all() if c.email))


def relay_contact_message(program, *, name, email, message, page_url):
    """Send `message` to the program's contacts (or to the directory's staff,
    settings.STAFF_EMAIL, when none gave an address), Reply-To the sender, then a copy to
    the sender. Raises RelayFailed when the first of the two cannot be sent; a copy that
    fails is only logged, since the message itself went through."""
    recipients = contact_addresses(program)
    to_staff = not recipients
    context = {
        "program": program,
        "name": name,
        "email": email,
        "message": message,
        "page_url": page_url,
        "to_staff": to_staff,
    }
    relayed = EmailMessage(
        subject=(
            _("For %(program)s: a message through the directory")
            if to_staff
            else _("A message about %(program)s from the directory")
        )
        % {"program": program.name},
        body=render_to_string("programs/email/contact_message.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[settings.STAFF_EMAIL] if to_staff else recipients,
        reply_to=[formataddr((name, email))],
    )
    try:
        relayed.send()
    except (smtplib.SMTPException, OSError) as error:
        logger.error("Contact message for %s not sent: %r", program.slug, error)
        raise RelayFailed from error

    copy = EmailMessage(
        subject=_("Your message to %(program)s") % {"program": program.name},
        body=render_to_string("programs/email/contact_copy.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email],
    )
    try:
        copy.send()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Copy of a contact message for %s not sent: %r", program.slug, error)
