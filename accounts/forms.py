from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.enums import Language
from core.validators import validate_single_line


class SignupForm(forms.Form):
    """The fields allauth's sign-up adds to e-mail and password."""

    name = forms.CharField(label=_("Full name"), max_length=150, required=True,
                           validators=[validate_single_line],
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    language = forms.ChoiceField(label=_("Preferred language"), choices=Language.choices,
                                 help_text=_("We write to you in this language."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = (get_language() or "de")[:2]
        self.fields["language"].initial = current if current in Language.values else "de"

    def signup(self, request, user):
        user.name = self.cleaned_data["name"]
        user.language = self.cleaned_data["language"]
        user.save(update_fields=["name", "language"])


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."), code="wrong_password")
        return password
