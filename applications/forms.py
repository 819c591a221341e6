from django import forms
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from applications.enums import EXPERIENCE_MAX, MOTIVATION_MAX, TopicRole
from programme.countries import GERMANY, Country
from programme.validators import validate_ags

format_html_lazy = lazy(format_html, str)


class StartForm(forms.Form):
    """Which municipality the expression of interest is for."""

    name = forms.CharField(label=_("Name of the municipality"), max_length=150)
    ags = forms.CharField(
        label=_("Municipality key (AGS)"), min_length=8, max_length=8,
        validators=[validate_ags],
        help_text=_("Amtlicher Gemeindeschlüssel, eight digits, for example 05114000. The "
                    "Land follows from the first two digits."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    population = forms.IntegerField(label=_("Population"), min_value=1, required=False)


class ExpressionOfInterestForm(forms.Form):
    """The content of an expression of interest; completeness is checked on submission."""

    population = forms.IntegerField(label=_("Population"), min_value=1, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=150, required=False)
    contact_function = forms.CharField(label=_("Function"), max_length=150, required=False)
    contact_department = forms.CharField(label=_("Department"), max_length=150, required=False)
    contact_email = forms.EmailField(label=_("E-mail"), required=False)
    contact_phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    experience = forms.CharField(
        label=_("Experience"), max_length=EXPERIENCE_MAX, required=False,
        help_text=_("What has your municipality done in digital urban development so far?"),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": EXPERIENCE_MAX}))
    motivation = forms.CharField(
        label=_("Motivation"), max_length=MOTIVATION_MAX, required=False,
        help_text=_("Why does your municipality want to take part, and what do you hope for?"),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": MOTIVATION_MAX}))
    preferred_countries = forms.MultipleChoiceField(
        label=_("Preferred partner countries"), required=False,
        choices=[c for c in Country.choices if c[0] != GERMANY],
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Optional. Hold Ctrl (Cmd on a Mac) to choose several."))
    working_languages = forms.CharField(label=_("Working languages"), max_length=100,
                                        required=False,
                                        help_text=_("For example: German, English"))
    meeting_years = forms.TypedMultipleChoiceField(
        label=_("Available for meetings in"), required=False, coerce=int,
        widget=forms.CheckboxSelectMultiple)
    consent = forms.BooleanField(
        label=format_html_lazy(
            _('I agree that the data in this form is processed for the programme as described '
              'in the <a href="{}">privacy notice</a>.'), reverse_lazy("core:page",
                                                                        args=["datenschutz"])),
        required=False)

    def __init__(self, *args, topics, meeting_years, **kwargs):
        super().__init__(*args, **kwargs)
        self.topics = list(topics)
        self.fields["meeting_years"].choices = [(year, year) for year in meeting_years]
        role_choices = [("", _("not chosen")), *TopicRole.choices]
        for topic in self.topics:
            self.fields[self.topic_field(topic)] = forms.ChoiceField(
                label=topic.name, choices=role_choices, required=False)

    @staticmethod
    def topic_field(topic) -> str:
        return f"topic_{topic.slug}"

    def topic_fields(self):
        return [self[self.topic_field(topic)] for topic in self.topics]

    def chosen_topics(self) -> dict:
        return {topic: self.cleaned_data[self.topic_field(topic)] for topic in self.topics
                if self.cleaned_data.get(self.topic_field(topic))}

    @classmethod
    def initial_for(cls, eoi, interests) -> dict:
        initial = {name: getattr(eoi, name) for name in (
            "population", "contact_name", "contact_function", "contact_department",
            "contact_email", "contact_phone", "experience", "motivation", "preferred_countries",
            "working_languages", "meeting_years")}
        initial["consent"] = bool(eoi.consent_at)
        for interest in interests:
            initial[cls.topic_field(interest.topic)] = interest.role
        return initial
