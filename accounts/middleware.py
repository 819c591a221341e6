from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import needs_second_factor


class StaffTwoFactorMiddleware:
    """Send staff without an authenticator app to set one up before the admin opens.

    Two-factor login is required for staff and optional for everyone else. Everywhere else
    such an account has an ordinary user's rights (accounts.permissions.is_staff) and every
    page tells it how to get its staff rights (templates/base.html).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/admin/") and needs_second_factor(request.user):
            messages.warning(
                request,
                _("Staff accounts need two-factor authentication. Please set up an "
                  "authenticator app to continue to the administration."),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
