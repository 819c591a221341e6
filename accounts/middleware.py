from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import is_staff


class StaffTwoFactorMiddleware:
    """Send staff without an authenticator app to set one up before the admin opens.

    Two-factor login is required for staff and optional for everyone else.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/admin/") and is_staff(request.user):
            from allauth.mfa.models import Authenticator
            from allauth.mfa.utils import is_mfa_enabled

            if not is_mfa_enabled(request.user, [Authenticator.Type.TOTP]):
                messages.warning(
                    request,
                    _("Staff accounts need two-factor authentication. Please set up an "
                      "authenticator app to continue to the administration."),
                )
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
