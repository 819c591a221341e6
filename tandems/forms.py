from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from programme.models import City
from tandems.enums import DocumentKind, MeetingStatus
from tandems.models import MINUTES_MAX, Meeting
from tandems.services import meeting_check
from tandems.validators import DOCUMENT_TYPES, document_max_mb


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's own date and time picker; the value is read as German time."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class MeetingCheckMixin:
    """Run the meeting rule (``meeting_check``) in ``clean()`` so errors show at the fields."""

    def check_meeting(self, tandem, data):
        if tandem is None or not all(data.get(name) for name in ("starts_at", "ends_at", "host")):
            return
        existing = self.instance if self.instance.pk else None
        try:
            meeting_check(tandem=tandem, starts_at=data["starts_at"], ends_at=data["ends_at"],
                          host=data["host"], meeting=existing,
                          status=existing.status if existing else MeetingStatus.PLANNED)
        except ValidationError as error:
            self.add_error(None, error)


def link_field():
    return Meeting._meta.get_field("link").formfield(assume_scheme="https")


class MeetingForm(MeetingCheckMixin, forms.ModelForm):
    """What a tandem's members plan: when, how, where and what."""

    link = link_field()

    class Meta:
        model = Meeting
        fields = ["title", "starts_at", "ends_at", "format", "host", "place", "link", "agenda",
                  "participants"]
        widgets = {
            "starts_at": LocalDateTimeInput(),
            "ends_at": LocalDateTimeInput(),
            "agenda": forms.Textarea(attrs={"rows": 5, "maxlength": 5000}),
            "participants": forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        }
        help_texts = {"starts_at": _("German time (Europe/Berlin)."),
                      "ends_at": _("German time (Europe/Berlin).")}

    def __init__(self, *args, tandem, **kwargs):
        super().__init__(*args, **kwargs)
        self.tandem = tandem
        # Every city the tandem has had: a past meeting may have been hosted by one that left.
        self.fields["host"].queryset = City.objects.filter(
            pk__in=[m.city_id for m in tandem.memberships.all()])
        self.fields["host"].empty_label = None

    def clean(self):
        data = super().clean()
        self.check_meeting(self.tandem, data)
        return data

    def changes(self) -> dict:
        """The fields as the services take them."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class MinutesForm(forms.Form):
    text = forms.CharField(label=_("Minutes"), max_length=MINUTES_MAX,
                           widget=forms.Textarea(attrs={"rows": 18, "maxlength": MINUTES_MAX}),
                           help_text=_("Who took part, what was discussed, what was agreed and "
                                       "who does what by when."))
    # The version the text was started from: a save on top of an older one is a conflict.
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class MeetingStatusForm(forms.Form):
    status = forms.ChoiceField(choices=MeetingStatus.choices)


class MeetingDocumentForm(forms.Form):
    """Upload a file to a meeting; ``document_add`` checks its content, size and name."""

    # Prefixed so the ids cannot clash with other forms on the meeting page.
    prefix = "document"

    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("File"), widget=forms.FileInput(attrs={
        # Only a hint for the browser's file picker; the content is checked on the server.
        "accept": ",".join(f".{ext}" for exts in DOCUMENT_TYPES.values() for ext in exts)}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read the limit now, so the text follows the setting and the current language.
        self.fields["file"].help_text = _(
            "PDF, Word, Excel, PowerPoint, OpenDocument (text, spreadsheet, presentation), "
            "PNG, JPEG or WebP; at most %(max)s MB.") % {"max": document_max_mb()}
