"""
The public forms: proposing a program (/submit/) and suggesting an update to a listed one.

Every field has a length limit; nothing is rendered as HTML (templates escape); Django's
CharField already refuses null characters with a message. Rows of places, staffing and
contacts are formsets: empty rows are ignored, so a phone user fills in only what they need.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.forms import formset_factory
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from directory.abuse import HoneypotMixin
from programs.models import Frequency, Organization, Period, Program, Role, Specialty

from .models import ChangeRequest, Submission

TEXT_LIMIT = 3000  # for free text: enough for a program's description, not for a book


class LongSelect(forms.Select):
    """A select of many options (every country), the same HTML as Django's own, written here:
    Django's template renders each option as a template of its own (195 ms for a select of
    2,500 options), and the form has a select of some 250 countries in every row of places.
    Options in groups are left to Django."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = []
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                return super().render(name, value, attrs, renderer)
            options += [
                format_html(
                    # Django's option template ends with a line break.
                    '\n  <option value="{}"{}>{}</option>\n',
                    option["value"],
                    html_attributes(option["attrs"]),
                    option["label"],
                )
                for option in group_choices
            ]
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            widget["name"],
            html_attributes(widget["attrs"]),
            mark_safe("".join(options)),  # noqa: S308 - each option is format_html()ed
        )


def html_attributes(attrs):
    """Attributes as Django's widgets/attrs.html writes them: True alone, False left out."""
    return mark_safe(  # noqa: S308 - names are the widget's own; values are escaped
        "".join(
            f" {name}" if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


def single_spaced(name):
    """An organization's name as typed, spaces between its words one each: as the form
    matches it with the listed names and as it asks for suggestions."""
    return " ".join(name.split())


def text_area(rows=4):
    return forms.Textarea(attrs={"rows": rows})


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TaxonomyChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, refusing an id that the primary key could not hold (its validators give
    the database's integer range) before the query. Django finds no row for such an id in a
    single lookup, but with several SQLite cannot even bind it and raises OverflowError."""

    def clean(self, value):
        pk = self.queryset.model._meta.pk
        for item in value if isinstance(value, (list, tuple)) else ():
            try:
                pk.run_validators(pk.to_python(item))
            except ValidationError:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                ) from None
        return super().clean(value)


class SubmissionForm(HoneypotMixin, forms.Form):
    # Typed, not chosen from a select: the directory's organizations are thousands (a
    # select of them weighed 233 KB at 10,000 programs, 1.6 MB at 100,000). The name of an
    # organization with a published program joins the program to it; site.js suggests those
    # names as the submitter types (OrganizationSuggestionsView).
    organization_name = forms.CharField(
        label=_("Organization"),
        max_length=200,
        error_messages={"required": _("Enter the name of the organization that runs it.")},
        help_text=_(
            "If it already runs a program in the directory, give its name as listed there: "
            "suggestions appear as you type."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "organization", "list": "organization-suggestions"}
        ),
    )
    organization_website = forms.URLField(
        label=_("Its website"),
        max_length=200,
        required=False,
        assume_scheme="https",
        help_text=_("For an organization new to the directory."),
    )

    name = forms.CharField(label=_("Program name"), max_length=200)
    description = forms.CharField(
        label=_("What the program does"),
        max_length=TEXT_LIMIT,
        widget=text_area(5),
        help_text=_("A few factual sentences: who is treated, where, by whom."),
    )
    website = forms.URLField(
        label=_("Program website"), max_length=200, required=False, assume_scheme="https"
    )

    specialties = TaxonomyChoiceField(
        label=_("Surgical needs"),
        queryset=Specialty.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_specialties = forms.CharField(
        label=_("Other needs"),
        max_length=300,
        required=False,
        help_text=_("Anything not in the list above, e.g. “hypospadias repair”."),
    )
    needs_text = forms.CharField(
        label=_("Surgical needs in your words"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=text_area(3),
    )

    frequency = forms.ChoiceField(label=_("How often"), choices=Frequency.choices)
    frequency_min = forms.IntegerField(
        label=_("Missions, at least"), required=False, min_value=1, max_value=366
    )
    frequency_max = forms.IntegerField(
        label=_("Missions, at most"), required=False, min_value=1, max_value=366
    )
    frequency_text = forms.CharField(
        label=_("Frequency in your words"),
        max_length=300,
        required=False,
        help_text=_("For example “4 to 5 missions a year, two weeks each”."),
    )
    next_mission_starts_on = forms.DateField(
        label=_("Next mission starts"), required=False, widget=date_input()
    )
    next_mission_ends_on = forms.DateField(
        label=_("Next mission ends"), required=False, widget=date_input()
    )

    resources_required = forms.CharField(
        label=_("What volunteers must bring or pay"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=text_area(3),
    )
    min_commitment = forms.CharField(
        label=_("Minimum time commitment"), max_length=200, required=False
    )
    languages = forms.CharField(label=_("Languages spoken on site"), max_length=200, required=False)
    trains_local_staff = forms.TypedChoiceField(
        label=_("Does the program train local staff?"),
        choices=[("", _("Not specified")), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )
    impact_text = forms.CharField(
        label=_("Impact so far"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=text_area(3),
        help_text=_("Figures you can share: missions, surgeries, people trained, since when."),
    )

    submitter_name = forms.CharField(label=_("Your name"), max_length=200)
    submitter_email = forms.EmailField(
        label=_("Your e-mail"),
        max_length=254,
        help_text=_("We send the reference and our decision here. It is never published."),
    )
    submitter_relation = forms.ChoiceField(
        label=_("Your relation to the program"), choices=Submission.Relation.choices
    )

    def clean_organization_name(self):
        return single_spaced(self.cleaned_data["organization_name"])

    def clean(self):
        data = super().clean()
        if name := data.get("organization_name"):
            # None for a new organization; so is a name several public ones share (staff
            # see the similar one flagged and can merge).
            data["organization"] = Organization.objects.with_published_programs().named(name)
        low, high = data.get("frequency_min"), data.get("frequency_max")
        if low and high and low > high:
            self.add_error(
                "frequency_max",
                forms.ValidationError(
                    _("“At most” must not be smaller than “at least”."), code="min_gt_max"
                ),
            )
        start, end = data.get("next_mission_starts_on"), data.get("next_mission_ends_on")
        if start and end and end < start:
            self.add_error(
                "next_mission_ends_on",
                forms.ValidationError(
                    _("The mission cannot end before it starts."), code="dates_reversed"
                ),
            )
        return data


class SuggestionsForm(forms.Form):
    """What is typed in the organization field, asking for suggestions. CharField refuses null
    characters, which PostgreSQL cannot take in a query."""

    q = forms.CharField(max_length=200, min_length=2)

    def clean_q(self):
        return single_spaced(self.cleaned_data["q"])


class PlaceForm(forms.Form):
    country = forms.ChoiceField(
        label=_("Country"),
        # A callable, so that the names are those of the visitor's language, not of the
        # language active when the module was imported.
        choices=lambda: [("", _("— Country —")), *countries],
        widget=LongSelect,
        required=True,
    )
    locality = forms.CharField(
        label=_("City or region"),
        max_length=200,
        required=False,
        help_text=_("Optional, e.g. “Lima” or “remote Greek islands”."),
    )


class StaffingForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("— Role —")), *Role.choices])
    min_count = forms.IntegerField(
        label=_("At least"),
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(999)],
    )
    max_count = forms.IntegerField(
        label=_("At most"),
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(999)],
    )
    period = forms.ChoiceField(
        label=_("Per"), choices=Period.choices, initial=Period.PER_MISSION, required=False
    )
    accepts_trainees = forms.BooleanField(label=_("Trainees accepted"), required=False)

    def clean(self):
        data = super().clean()
        low, high = data.get("min_count"), data.get("max_count")
        if low and high and low > high:
            self.add_error(
                "max_count",
                forms.ValidationError(
                    _("“At most” must not be smaller than “at least”."), code="min_gt_max"
                ),
            )
        return data


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    role = forms.CharField(label=_("Role"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    is_name_public = forms.BooleanField(
        label=_("This person agrees to have their name shown on the program’s page"),
        required=False,
        help_text=_("E-mail addresses are never shown: messages are relayed."),
    )

    def clean(self):
        data = super().clean()
        if data.get("name") and not (data.get("email") or data.get("phone", "").strip()):
            self.add_error(
                "email",
                forms.ValidationError(
                    _("Give an e-mail address or a phone number for this contact."),
                    code="contact_unreachable",
                ),
            )
        return data


class RowsFormSet(forms.BaseFormSet):
    """Empty rows are skipped; `rows()` gives the cleaned data of the filled ones."""

    def rows(self):
        return [form.cleaned_data for form in self.forms if form.has_changed()]


# absolute_max = max_num: a POST claiming more rows (TOTAL_FORMS) than the page can have gets
# an error, not a thousand rows built and rendered (Django's default allows max_num + 1000).
PlaceFormSet = formset_factory(
    PlaceForm,
    formset=RowsFormSet,
    extra=4,
    max_num=20,
    absolute_max=20,
    min_num=1,
    validate_min=True,
)
StaffingFormSet = formset_factory(
    StaffingForm, formset=RowsFormSet, extra=4, max_num=20, absolute_max=20
)
ContactFormSet = formset_factory(
    ContactForm,
    formset=RowsFormSet,
    extra=3,
    max_num=10,
    absolute_max=10,
    min_num=1,
    validate_min=True,
)


class ChangeRequestForm(HoneypotMixin, forms.Form):
    """What someone reports about a listed program. The program's current values are the
    initial values of the correction fields; only the ones they change are proposed."""

    kind = forms.ChoiceField(
        label=_("What has changed?"),
        choices=ChangeRequest.Kind.choices,
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label=_("Tell us more"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=text_area(4),
        help_text=_("For example the new dates, or the address that bounced."),
    )
    reporter_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    reporter_email = forms.EmailField(
        label=_("Your e-mail"),
        max_length=254,
        required=False,
        help_text=_("Only if staff may ask you a question. It is never published."),
    )

    def __init__(self, *args, program, **kwargs):
        self.program = program
        super().__init__(*args, **kwargs)
        # One correction field per proposable program field, shaped like the model's.
        for name in ChangeRequest.PROPOSABLE_FIELDS:
            model_field = Program._meta.get_field(name)
            if isinstance(model_field, models.URLField):
                field = forms.URLField(max_length=200, assume_scheme="https")
            elif model_field.get_internal_type() == "TextField":
                field = forms.CharField(max_length=TEXT_LIMIT, widget=text_area(3))
            else:
                field = forms.CharField(max_length=model_field.max_length)
            field.required = False
            field.label = model_field.verbose_name[:1].upper() + model_field.verbose_name[1:]
            field.initial = getattr(program, name)
            self.fields[name] = field
        # The contact fields come last, after the corrections.
        for name in ["reporter_name", "reporter_email", self.HONEYPOT_FIELD]:
            self.fields[name] = self.fields.pop(name)

    @property
    def correction_fields(self):
        return [self[name] for name in ChangeRequest.PROPOSABLE_FIELDS]

    def proposed_values(self):
        """{field: new value} for the corrections that differ from the program's values."""
        return {
            name: self.cleaned_data[name]
            for name in ChangeRequest.PROPOSABLE_FIELDS
            if self.cleaned_data.get(name, "").strip() != getattr(self.program, name).strip()
        }

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        # "It has ended" and "the contact bounced" say enough by themselves.
        says_enough = data.get("kind") in (ChangeRequest.Kind.ENDED, ChangeRequest.Kind.CONTACT)
        if not says_enough and not data.get("message", "").strip() and not self.proposed_values():
            raise forms.ValidationError(
                _("Tell us what has changed, or correct one of the fields below."),
                code="nothing_to_change",
            )
        return data
