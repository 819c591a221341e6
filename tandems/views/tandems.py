from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from programme.models import Programme
from tandems.selectors import (
    contacts_of,
    diagram,
    meeting_places,
    other_clocks,
    tandems_with_members,
    topic_roles,
)


def participating(request):
    """The public page: the programme's live tandems, their cities and topics."""
    programme = Programme.objects.current()
    if programme is None:
        raise Http404
    tandems = list(tandems_with_members(programme.tandems.live()))
    mine = []
    # Staff see every tandem: "yours" would list them all.
    if request.user.is_authenticated and not request.user.has_perm("core.access_staff_area"):
        mine = [t for t in tandems if request.user.has_perm("tandems.view_tandem", t)]
    return render(request, "tandems/participating.html", {
        "programme": programme, "tandems": tandems, "diagram": diagram(tandems), "mine": mine})


@login_required
def tandem_detail(request, pk):
    tandem = get_object_or_404(tandems_with_members(), pk=pk)
    if not request.user.has_perm("tandems.view_tandem", tandem):
        raise Http404
    members = tandem.current_memberships()
    meetings = list(tandem.meetings.select_related("host"))
    return render(request, "tandems/detail.html", {
        "tandem": tandem, "members": members, "topic_roles": topic_roles(tandem),
        "contacts": contacts_of([m.city for m in members]),
        "history": tandem.memberships.all(),
        "meetings": meetings, "places": meeting_places(tandem, meetings),
        "clocks": other_clocks([m.city for m in members]),
        "can_plan": request.user.has_perm("tandems.plan_meeting", tandem)})
