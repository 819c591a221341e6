from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.registry import REMINDER_KINDS


class ReminderPreferencesForm(forms.Form):
    enabled = forms.MultipleChoiceField(
        label=_("Send me these reminders"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Confirmations and other mails about something you did are always sent."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enabled"].choices = [(k.name, k.label) for k in REMINDER_KINDS.values()]
