"""What the project's admin pages share."""

from django.contrib import admin
from django.contrib.admin import helpers
from django.utils.html import format_html
from django.utils.translation import gettext as _


class LabelledListEditable:
    """Give the inputs of an admin list's editable columns an accessible name.

    Django renders them without a <label>; screen readers (and axe's "label" rule) need
    one. The name is the column's label and the row's object, e.g. "Order: Funding".
    """

    def get_changelist_formset(self, request, **kwargs):
        formset_class = super().get_changelist_formset(request, **kwargs)

        class LabelledFormSet(formset_class):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                for name in self.form.base_fields:
                    if name in form.fields:
                        label = form.fields[name].label or name
                        row = f": {form.instance}" if form.instance.pk else ""
                        form.fields[name].widget.attrs["aria-label"] = f"{label}{row}"

        return LabelledFormSet


class PlainActionCheckbox:
    """The row checkbox of an admin list as one string: Django renders it through the form
    templates, a third of the time of a 100-row page. Same markup, name and label."""

    def action_checkbox(self, obj):
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" '
            'aria-label="{}">', helpers.ACTION_CHECKBOX_NAME, obj.pk, label)


class ReadOnlyTabularInline(admin.TabularInline):
    """Rows shown with their parent and never changed here: they are written only through
    their services (a version, a step, a registration). Set ``fields``; all are read only."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
