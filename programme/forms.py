from django import forms
from django.utils.translation import gettext_lazy as _

from programme.models import CityTopic

# The population column is an integer: a larger number is a typo, not a city.
POPULATION_MAX = 2_147_483_647


class CityProfileForm(forms.Form):
    population = forms.IntegerField(label=_("Population"), min_value=1,
                                    max_value=POPULATION_MAX, required=False)
    languages = forms.CharField(label=_("Working languages"), max_length=100, required=False,
                                help_text=_("ISO 639-1 codes separated by commas, for example "
                                            "nl,en."))
    time_zone = forms.CharField(label=_("Time zone"), max_length=50,
                                help_text=_("For example Europe/Amsterdam."))

    def __init__(self, *args, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.topics = list(topics)
        for topic in self.topics:
            self.fields[f"topic_{topic.slug}"] = forms.ChoiceField(
                label=topic.name, required=False,
                choices=[("", _("not chosen")), *CityTopic.Role.choices])

    def topic_fields(self):
        return [self[f"topic_{topic.slug}"] for topic in self.topics]

    def chosen_topics(self) -> dict:
        return {t: self.cleaned_data[f"topic_{t.slug}"] for t in self.topics
                if self.cleaned_data.get(f"topic_{t.slug}")}

    def clean_time_zone(self):
        from zoneinfo import available_timezones

        zone = self.cleaned_data["time_zone"]
        if zone not in available_timezones():
            raise forms.ValidationError(_("Please give a time zone such as Europe/Amsterdam."))
        return zone
