"""Middleware that turns away malformed requests before they reach a view or the database.

- ``PermissionsPolicyMiddleware``: the ``Permissions-Policy`` header on every response,
  static files and cached pages included (first in the list).
- ``AllowedMethodsMiddleware``: 405 for any method but GET, HEAD, POST and OPTIONS; views
  are written for those, and Django would answer a PUT or DELETE like a GET.
- ``NulByteMiddleware``: 400 for a NUL byte in the path, the query string, a cookie or a
  posted text field. No one types one, and PostgreSQL refuses it in text, so it would end
  as a 500 wherever it meets a query. Uploaded files are not looked at (binary content).
- ``AdminGuardMiddleware``: in the admin, 404 for an object id that is no key (the history
  pages pass it to the database unchecked), 400 for tampered formset counts and for lookups
  a changelist refuses in a view of its own (the exports).
"""

from django.conf import settings
from django.contrib.admin import ModelAdmin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404, HttpResponseNotAllowed

ALLOWED_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
NUL = "\x00"


class PermissionsPolicyMiddleware:
    """Deny the browser features the site never uses (``settings.PERMISSIONS_POLICY``)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items())

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


class AllowedMethodsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ALLOWED_METHODS:
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        return self.get_response(request)


class NulByteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path or _has_nul(request.GET) or any(
                NUL in name or NUL in value for name, value in request.COOKIES.items()):
            raise BadRequest("NUL byte in the path, query string or a cookie")
        # request.POST holds the text fields only (files are in request.FILES); parsing it
        # here is what CsrfViewMiddleware would do next anyway.
        if request.method == "POST" and _has_nul(request.POST):
            raise BadRequest("NUL byte in a posted field")
        return self.get_response(request)


def _has_nul(query) -> bool:
    return any(NUL in name or any(NUL in value for value in values)
               for name, values in query.lists())


# Django's own limit on a formset's forms; no admin page here has more rows.
MAX_FORMS = 1000
COUNTS = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")


class AdminGuardMiddleware:
    """What Django's admin and django-simple-history leave to a 500, as 400 or 404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        model_admin = _model_admin(view_func)
        if model_admin is None or not request.user.is_staff:
            return None  # the admin's own login check answers everyone else
        _check_object_ids(model_admin, view_func, view_args, view_kwargs)
        if request.method == "POST":
            _check_management_forms(request.POST)
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, IncorrectLookupParameters):
            # The changelist answers this itself; a view that builds one (an export) not.
            raise BadRequest(str(exception)) from exception
        return None


def _model_admin(view_func) -> ModelAdmin | None:
    """The model admin behind an admin URL's view, if it is one."""
    if isinstance(getattr(view_func, "model_admin", None), ModelAdmin):
        return view_func.model_admin  # Django's own views (changelist, change, history …)
    wrapped = view_func
    while wrapped is not None:  # views wrapped by admin_site.admin_view() (simple-history)
        if isinstance(getattr(wrapped, "__self__", None), ModelAdmin):
            return wrapped.__self__
        wrapped = getattr(wrapped, "__wrapped__", None)
    return None


def _check_object_ids(model_admin, view_func, args, kwargs) -> None:
    ids = []
    if "object_id" in kwargs:
        ids.append((model_admin.model._meta.pk, kwargs["object_id"]))
    elif getattr(view_func, "__name__", "") == "history_form_view" and len(args) == 2:
        history = model_admin.model.history.model
        ids += [(model_admin.model._meta.pk, args[0]), (history._meta.pk, args[1])]
    for field, value in ids:
        try:
            field.to_python(unquote(value))
        except ValidationError:
            raise Http404 from None


def _check_management_forms(data) -> None:
    """Refuse a formset count that no page of the admin sends: the forms would be built from
    it (an inline's "initial" rows without their objects)."""
    for name in data:
        prefix, _dash, count = name.rpartition("-")
        if count != "TOTAL_FORMS":
            continue
        values = {part: data.get(f"{prefix}-{part}", "") for part in COUNTS}
        try:
            numbers = {part: int(value) for part, value in values.items() if value != ""}
        except ValueError:
            raise BadRequest(f"formset {prefix}: counts that are no numbers") from None
        total, initial = numbers.get("TOTAL_FORMS", 0), numbers.get("INITIAL_FORMS", 0)
        if min(numbers.values()) < 0 or not initial <= total <= MAX_FORMS:
            raise BadRequest(f"formset {prefix}: counts out of range")
        # A row past the initial ones is a new object: an id there is a tampered count.
        if any(data.get(f"{prefix}-{n}-id") for n in range(initial, total)):
            raise BadRequest(f"formset {prefix}: a new row with an id")
