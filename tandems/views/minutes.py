"""The minutes of a meeting: read, write, every version, and conflicts made visible."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.conflicts import EditConflict
from core.unsaved import login_required_keeping_post, unsaved_post
from tandems import services
from tandems.forms import MinutesForm
from tandems.models import Minutes
from tandems.validators import validate_minutes_allowed
from tandems.views.meetings import meeting_or_404, tandem_or_404


@login_required_keeping_post(MinutesForm)
def minutes(request, pk, meeting):
    tandem = tandem_or_404(request, pk)
    meeting = meeting_or_404(request, tandem, meeting, perm="tandems.view_minutes")
    current = Minutes.objects.filter(meeting=meeting).select_related("updated_by").first()
    can_edit = request.user.has_perm("tandems.change_minutes", meeting)
    try:
        validate_minutes_allowed(status=meeting.status, starts_at=meeting.starts_at,
                                 now=timezone.now())
        not_yet = None
    except ValidationError as error:
        not_yet, can_edit = error.messages[0], False
    conflict, status = None, 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = MinutesForm(request.POST)
        if form.is_valid():
            try:
                services.minutes_save(meeting=meeting, text=form.cleaned_data["text"],
                                      base_version=form.cleaned_data["version"],
                                      by=request.user)
            except ValidationError as error:
                form = MinutesForm({"text": form.cleaned_data["text"], "version": 0})
                form.is_valid()
                form.add_error(None, error)  # the text stays in the form, on version 0
                status = 400
            except EditConflict as error:
                # Keep this person's text in the form, on top of the version now saved.
                conflict = current = error.current
                form = MinutesForm(initial={"text": form.cleaned_data["text"],
                                            "version": conflict.version})
                status = 409
            else:
                messages.success(request, _("The minutes are saved."))
                return redirect("tandems:minutes", tandem.pk, meeting.pk)
        else:
            status = 400
    else:
        restored = unsaved_post(request)
        if restored is not None and can_edit:
            form = MinutesForm(initial=restored)
            messages.info(request, _("Here is the text you typed before logging in again. "
                                     "Please check it and save."))
        else:
            form = MinutesForm(initial={"text": current.text if current else "",
                                        "version": current.version if current else 0})
    versions = list(current.history.select_related("history_user")) if current else []
    shown = next((v for v in versions if str(v.version) == request.GET.get("version")), None)
    return render(request, "tandems/minutes.html", {
        "tandem": tandem, "meeting": meeting, "minutes": current, "form": form,
        "can_edit": can_edit, "not_yet": not_yet, "conflict": conflict,
        "versions": versions, "shown": shown,
    }, status=status)
