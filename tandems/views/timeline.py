from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from accounts.permissions import viewable_tandems
from events.models import Event
from programme.models import Programme
from tandems.selectors import timeline, timeline_tandems


@login_required
def timeline_page(request):
    """Staff see every tandem of the programme; members their own tandem; all see events."""
    programme = Programme.objects.current()
    if programme is None:
        raise Http404
    tandems = timeline_tandems(viewable_tandems(request.user).filter(programme=programme))
    events = Event.objects.filter(programme=programme)
    return render(request, "tandems/timeline.html", {
        "programme": programme,
        **timeline(programme=programme, tandems=list(tandems), events=list(events))})
