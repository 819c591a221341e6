"""Keep what someone typed when their login expired, and give it back after logging in.

A long text (minutes, a case study) can take longer to write than a session lasts. When
such a form is posted without a login, the posted fields are kept in the browser's
session, the person logs in again (the session keeps its data across the login), and the
page puts the text back into the form for them to check and save.

Anyone can post to these pages without a login, so what is kept is bounded: only the fields
the page's form (and formsets) define, each at most as long as the form allows, at most
``MAX_PAGES`` pages and ``MAX_BYTES`` in all per browser.
"""

import json
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.forms.formsets import (
    INITIAL_FORM_COUNT,
    MAX_NUM_FORM_COUNT,
    MIN_NUM_FORM_COUNT,
    TOTAL_FORM_COUNT,
)
from django.utils.translation import gettext as _

SESSION_KEY = "unsaved_posts"
MAX_PAGES = 3  # kept per browser; older ones give way
MAX_BYTES = 300_000  # all pages together, as stored (JSON); a full case study fits
SHORT = 100  # the length kept of a field without a maximum of its own (a number, a choice)
MANAGEMENT = (TOTAL_FORM_COUNT, INITIAL_FORM_COUNT, MIN_NUM_FORM_COUNT, MAX_NUM_FORM_COUNT)


def login_required_keeping_post(form: type[forms.BaseForm], *,
                                formsets: dict[str, type[forms.BaseFormSet]] | None = None):
    """Like ``login_required``, but a POST without a login keeps the fields of ``form`` and
    of ``formsets`` (prefix -> formset class, at most its ``max_num`` rows) for later."""
    limits = _limits(form, formsets or {})

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.is_authenticated:
                return view(request, *args, **kwargs)
            if request.method == "POST":
                _keep(request, _kept_fields(request.POST, limits, formsets or {}))
            return redirect_to_login(request.path)

        return wrapper

    return decorator


def unsaved_post(request) -> dict | None:
    """Take back the fields kept for this page while its author logged in again."""
    kept = request.session.get(SESSION_KEY)
    if not kept or request.path not in kept:
        return None
    data = kept.pop(request.path)
    request.session[SESSION_KEY] = kept
    return data


def _limits(form, formsets) -> dict[str, int]:
    """Field name (formset rows as ``<prefix>-<row>-``) -> the most characters kept."""
    limits = {name: _max_length(field) for name, field in form.base_fields.items()}
    for prefix, formset in formsets.items():
        limits.update({f"{prefix}-{name}": SHORT for name in MANAGEMENT})
        row = {name: _max_length(field) for name, field in formset.form.base_fields.items()}
        row.update({name: SHORT for name, on in (("ORDER", formset.can_order),
                                                 ("DELETE", formset.can_delete)) if on})
        limits.update({f"{prefix}-{n}-{name}": length for n in range(formset.max_num)
                       for name, length in row.items()})
    return limits


def _max_length(field) -> int:
    return getattr(field, "max_length", None) or SHORT


def _kept_fields(data, limits, formsets) -> dict[str, str]:
    kept = {name: data[name][:length] for name, length in limits.items() if name in data}
    for prefix, formset in formsets.items():  # the rows beyond max_num were not kept
        total = f"{prefix}-{TOTAL_FORM_COUNT}"
        if kept.get(total, "").isdigit():
            kept[total] = str(min(int(kept[total]), formset.max_num))
    return kept


def _keep(request, fields: dict[str, str]) -> None:
    kept = request.session.get(SESSION_KEY, {})
    kept.pop(request.path, None)
    kept[request.path] = fields
    pages = list(kept.items())[-MAX_PAGES:]
    while pages and _size(pages) > MAX_BYTES:
        pages.pop(0)  # the oldest first; this page's own text if it alone is too much
    request.session[SESSION_KEY] = dict(pages)
    if pages and pages[-1][0] == request.path:
        messages.warning(request, _(
            "You were logged out, so your text has not been saved yet. Log in again: "
            "it will be back in the form for you to save."))
    else:
        messages.warning(request, _(
            "You were logged out, so your text has not been saved, and it is too long to be "
            "kept while you log in again. Please go back to the form with your browser's Back "
            "button, copy your text and then log in again."))


def _size(pages) -> int:
    return len(json.dumps(dict(pages), separators=(",", ":")))
