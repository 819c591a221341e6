from django import forms
from django.utils.translation import gettext_lazy as _

from casestudies.enums import ItemKind, Level, ReviewAction
from casestudies.models import COMMENT_MAX, ITEM_TEXT_MAX, CaseStudy
from casestudies.services import Item
from casestudies.validators import MAX_ITEMS
from programme.models import City

BLANK = [("", "—")]


class CaseStudyForm(forms.ModelForm):
    """The title, language and sections; never saved itself (``casestudy_save`` does)."""

    # The version the text was started from: a save on top of an older one is a conflict.
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    class Meta:
        model = CaseStudy
        fields = CaseStudy.EDITABLE
        widgets = {name: forms.Textarea(attrs={"rows": 8}) for name in CaseStudy.SECTIONS}
        help_texts = {"title": _("Markdown in the sections: # heading, *italic*, **bold**, "
                                 "- list, [text](https://…) for a link.")}

    def changes(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in CaseStudy.EDITABLE}


class CodedItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Barrier or driver"),
                             choices=BLANK + list(ItemKind.choices))
    category = forms.ChoiceField(label=_("Category"))
    level = forms.ChoiceField(label=_("Level"), choices=BLANK + list(Level.choices))
    text = forms.CharField(label=_("Text"), max_length=ITEM_TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The choices come once per request from the view: no query per form.
        self.fields["category"].choices = BLANK + list(categories)
        _style(self.fields)

    def item(self) -> Item:
        data = self.cleaned_data
        return Item(data["kind"], data["category"], data["level"], data["text"])


def _style(fields) -> None:
    """Bootstrap's classes on the widgets (the rows are laid out by hand, not by crispy)."""
    for field in fields.values():
        if isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs["class"] = "form-check-input"
        elif isinstance(field.widget, forms.Select):
            field.widget.attrs["class"] = "form-select"
        else:
            field.widget.attrs["class"] = "form-control"


class BaseCodedItemFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        _style(form.fields)  # ORDER and DELETE come only now


CodedItemFormSet = forms.formset_factory(
    CodedItemForm, formset=BaseCodedItemFormSet, extra=2, can_order=True, can_delete=True,
    # absolute_max: a tampered row count must not make the page build thousands of rows.
    max_num=MAX_ITEMS, validate_max=True, absolute_max=MAX_ITEMS + 2)


def category_choices(categories, used=()) -> list[tuple[str, str]]:
    """Active categories, and inactive ones still used by the items being edited."""
    return [(c.slug, c.name) for c in categories if c.is_active or c.slug in used]


def items_formset(data=None, *, items=(), categories=()) -> forms.BaseFormSet:
    used = {item.category for item in items}
    return CodedItemFormSet(
        data, prefix="items", initial=[item.as_dict() for item in items],
        form_kwargs={"categories": category_choices(categories, used)})


def ordered_items(formset) -> list[Item]:
    """The items as the author left them: deleted ones out, in the order they gave."""
    return [form.item() for form in formset.ordered_forms]


class ReviewForm(forms.Form):
    """One review step; which steps a person may take is asked of the permissions module."""

    action = forms.ChoiceField(choices=ReviewAction.choices, widget=forms.HiddenInput)
    city = forms.ModelChoiceField(label=_("For the city"), queryset=City.objects.none(),
                                  required=False, empty_label=None)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=COMMENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, cities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if cities is not None:
            self.fields["city"].queryset = cities
