"""Forms of the public pages."""

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from directory.abuse import HoneypotMixin


class ContactForm(HoneypotMixin):
    """A message to a program's contacts, relayed by e-mail (programs.services)."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("The program replies to this address. It is not published."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    message = forms.CharField(
        label=_("Message"),
        min_length=10,
        max_length=5000,
        help_text=_("Up to 5,000 characters."),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "min_length": _("Please write a little more (at least 10 characters)."),
            "max_length": _(
                "Please shorten the message to 5,000 characters (it has %(show_value)d)."
            ),
        },
    )

    field_order = ["name", "email", "message"]

    def clean_name(self):
        # The name goes into the Reply-To header: no line breaks or other control characters
        # (format characters such as the zero-width non-joiner belong to some names).
        name = self.cleaned_data["name"]
        if any(unicodedata.category(char) in {"Cc", "Zl", "Zp"} for char in name):
            raise forms.ValidationError(
                _("Please write your name on one line, without special characters."),
                code="control_characters",
            )
        return name
