"""Two fixes for Django 5.2 where malformed input in the admin ends in a 500.

Applied once from ``CoreConfig.ready()``; remove each when the Django in use has it.

- An autocomplete field (``autocomplete_fields``) posted or prefilled with a value that is
  no key (``city=abc``): the widget puts the value into a query to show the chosen option,
  and the database refuses it. The form already says "Select a valid choice"; the widget now
  just shows nothing chosen.
- A date hierarchy year out of range (``?starts_at__year=9999`` or twenty digits): Django
  catches only part of it (fixed upstream as ticket #37357); now the changelist treats it
  like any other lookup it cannot make.
"""

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import ValidationError


def apply() -> None:
    if getattr(AutocompleteMixin.optgroups, "keeps_keys_only", False):
        return
    AutocompleteMixin.optgroups = _keys_only(AutocompleteMixin.optgroups)
    ChangeList.get_filters = _out_of_range_is_a_lookup_error(ChangeList.get_filters)


def _keys_only(optgroups):
    def wrapper(self, name, value, attr=None):
        remote = self.field.remote_field
        to_field = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.name)
        return optgroups(self, name, [v for v in value if _is_key(to_field, v)], attr)

    wrapper.keeps_keys_only = True
    return wrapper


def _is_key(field, value) -> bool:
    try:
        field.clean(value, None)  # the type, and the range of an integer column
    except ValidationError:
        return False
    return True


def _out_of_range_is_a_lookup_error(get_filters):
    def wrapper(self, request):
        try:
            return get_filters(self, request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error

    return wrapper
