"""The members' meeting pages: plan, read, edit and change the status of a meeting.

Every write goes through the meeting services, which hold the yearly cap (rule 4); the
forms run the same check first so the message appears next to the field.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandems import services
from tandems.forms import MeetingForm, MeetingStatusForm
from tandems.models import Meeting
from tandems.selectors import meeting_places, other_clocks, tandems_with_members
from tandems.views.documents import documents_context


def tandem_or_404(request, pk, perm="tandems.view_tandem"):
    tandem = get_object_or_404(tandems_with_members(), pk=pk)
    if not request.user.has_perm("tandems.view_tandem", tandem):
        raise Http404  # another tandem's pages do not exist for this user
    if not request.user.has_perm(perm, tandem):
        raise PermissionDenied
    return tandem


def meeting_or_404(request, tandem, meeting_pk, perm="tandems.view_meeting"):
    meeting = get_object_or_404(Meeting.objects.select_related("host"), pk=meeting_pk,
                                tandem=tandem)
    meeting.tandem = tandem  # reuse the prefetched members
    if not request.user.has_perm(perm, meeting):
        raise PermissionDenied
    return meeting


def _form_page(request, tandem, form, meeting=None):
    meetings = list(tandem.meetings.all())
    return render(request, "tandems/meeting_form.html", {
        "tandem": tandem, "form": form, "meeting": meeting,
        "places": meeting_places(tandem, meetings),
    }, status=400 if form.errors else 200)


@login_required
def meeting_create(request, pk):
    tandem = tandem_or_404(request, pk, perm="tandems.plan_meeting")
    form = MeetingForm(request.POST or None, tandem=tandem)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(tandem=tandem, created_by=request.user,
                                              **form.changes())
        except ValidationError as error:  # someone else took the place meanwhile
            form.add_error(None, error)
        else:
            messages.success(request, _("The meeting is planned."))
            return redirect(meeting)
    return _form_page(request, tandem, form)


@login_required
def meeting_edit(request, pk, meeting):
    tandem = tandem_or_404(request, pk)
    meeting = meeting_or_404(request, tandem, meeting, perm="tandems.change_meeting")
    form = MeetingForm(request.POST or None, instance=meeting, tandem=tandem)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_update(meeting=meeting, **form.changes())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The meeting is saved."))
            return redirect(meeting)
    return _form_page(request, tandem, form, meeting)


def _detail_page(request, tandem, meeting, status=200, status_error=None):
    can_change = request.user.has_perm("tandems.change_meeting", meeting)
    return render(request, "tandems/meeting.html", {
        "tandem": tandem, "meeting": meeting, "can_change": can_change,
        "clocks": other_clocks([m.city for m in tandem.current_memberships()]),
        "status_error": status_error,
        **documents_context(request, meeting),
    }, status=status)


@login_required
def meeting_detail(request, pk, meeting):
    tandem = tandem_or_404(request, pk)
    return _detail_page(request, tandem, meeting_or_404(request, tandem, meeting))


@require_POST
@login_required
def meeting_status(request, pk, meeting):
    tandem = tandem_or_404(request, pk)
    meeting = meeting_or_404(request, tandem, meeting, perm="tandems.change_meeting")
    form = MeetingStatusForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, tandem, meeting, status=400,
                            status_error=_("Please choose a valid status."))
    try:
        meeting = services.meeting_set_status(meeting=meeting, status=form.cleaned_data["status"])
    except ValidationError as error:
        return _detail_page(request, tandem, meeting, status=400, status_error=error.messages[0])
    messages.success(request, _("The meeting is now %(status)s.")
                     % {"status": meeting.get_status_display()})
    return redirect(meeting)
