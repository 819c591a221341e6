"""Keep what someone typed when their login expired, and give it back after logging in.

A long text (minutes, a case study) can take longer to write than a session lasts. When
such a form is posted without a login, the posted fields are kept in the browser's
session, the person logs in again (the session keeps its data across the login), and the
page puts the text back into the form for them to check and save.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

SESSION_KEY = "unsaved_posts"
MAX_PAGES = 5  # kept per browser; older ones give way
MAX_CHARS = 100_000  # per field
MAX_FIELDS = 1_000  # per page


def login_required_keeping_post(*fields):
    """Like ``login_required``, but a POST without a login keeps ``fields`` for later.

    Without ``fields``, every posted field but the CSRF token is kept (for a form with a
    formset, whose field names depend on the number of rows).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.is_authenticated:
                return view(request, *args, **kwargs)
            if request.method == "POST":
                kept = request.session.get(SESSION_KEY, {})
                kept.pop(request.path, None)
                names = fields or [name for name in request.POST
                                   if name != "csrfmiddlewaretoken"][:MAX_FIELDS]
                kept[request.path] = {name: request.POST.get(name, "")[:MAX_CHARS]
                                      for name in names}
                request.session[SESSION_KEY] = dict(list(kept.items())[-MAX_PAGES:])
                messages.warning(request, _(
                    "You were logged out, so your text has not been saved yet. Log in again: "
                    "it will be back in the form for you to save."))
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
