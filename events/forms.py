from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import Event


class RegistrationForm(forms.Form):
    """Which city a person registers for; asked only when they speak for more than one."""

    city = forms.ModelChoiceField(
        queryset=None, label=_("I register for"),
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": _("Please choose one of your cities."),
                        "required": _("Please choose the city you register for.")})

    def __init__(self, *args, cities, **kwargs):
        super().__init__(*args, **kwargs)
        self.cities = list(cities)
        field = self.fields["city"]
        field.queryset = cities
        field.empty_label = None
        if len(self.cities) == 1:  # nothing to choose: the page names the city instead
            field.widget = forms.HiddenInput()
            field.required = False
            field.initial = self.cities[0].pk

    def clean_city(self):
        city = self.cleaned_data.get("city")
        if city is None and len(self.cities) == 1:
            return self.cities[0]
        return city


class EventAdminForm(forms.ModelForm):
    """Staff announce and change events; times are German time, as everywhere."""

    link = Event._meta.get_field("link").formfield(assume_scheme="https")

    class Meta:
        model = Event
        fields = ["programme", "kind", "title", "starts_at", "ends_at", "format", "place",
                  "link", "description", "capacity", "registration_closes_at"]
        help_texts = {"starts_at": _("German time (Europe/Berlin)."),
                      "ends_at": _("German time (Europe/Berlin)."),
                      "registration_closes_at": _(
                          "German time (Europe/Berlin). People can register up to and "
                          "including this second, for example 23:59:59.")}
