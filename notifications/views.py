from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from notifications.forms import ReminderPreferencesForm
from notifications.registry import REMINDER_KINDS
from notifications.services import reminder_preferences_set


@login_required
def reminder_preferences(request):
    switched_off = set(request.user.reminder_opt_outs.values_list("kind", flat=True))
    initial = {"enabled": [name for name in REMINDER_KINDS if name not in switched_off]}
    data = request.POST if request.method == "POST" else None  # an empty POST is still a POST
    form = ReminderPreferencesForm(data, initial=initial)
    if request.method == "POST" and form.is_valid():
        reminder_preferences_set(user=request.user, enabled=set(form.cleaned_data["enabled"]))
        messages.success(request, _("Your reminder settings are saved."))
        return redirect("notifications:preferences")
    status = 400 if form.is_bound else 200
    return render(request, "notifications/preferences.html",
                  {"form": form, "has_kinds": bool(REMINDER_KINDS)}, status=status)
