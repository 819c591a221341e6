"""The network events: a public list and pages; contacts of the tandem cities register.

Every write goes through ``events.services``; a refused registration shows the event page
again with the reason and a 4xx status.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import event_registration_cities
from events import services
from events.calendar import events_ical
from events.enums import RegistrationStatus
from events.forms import RegistrationForm
from events.models import Event, Registration
from events.selectors import my_registrations, places, waiting_position, with_counts
from events.validators import registration_is_open
from programme.models import Programme

CONTENT_TYPE = "text/calendar; charset=utf-8"


def event_list(request):
    """Upcoming and past events of the current programme, with places and my status."""
    programme = Programme.objects.current()
    # Explicitly ordered: Meta.ordering does not apply to a query with GROUP BY.
    events = (list(with_counts(Event.objects.filter(programme=programme))
                   .order_by("starts_at", "pk")) if programme else [])
    mine = my_registrations(request.user, events)
    now = timezone.now()
    rows = [{"event": event, "places": places(event), "mine": mine.get(event.pk),
             "open": _is_open(event, now)}
            for event in events]
    return render(request, "events/list.html", {
        "programme": programme,
        "upcoming": [row for row in rows if row["event"].ends_at > now],
        "past": [row for row in rows if row["event"].ends_at <= now][::-1],
    })


def _is_open(event, now) -> bool:
    return registration_is_open(registration_closes_at=event.registration_closes_at,
                                starts_at=event.starts_at, now=now)


def _event_or_404(pk) -> Event:
    return get_object_or_404(with_counts(Event.objects.select_related("programme")), pk=pk)


def _detail_page(request, event, *, form=None, error=None, status=200):
    user = request.user
    registration = None
    if user.is_authenticated:
        registration = (Registration.objects.filter(event=event, user=user)
                        .select_related("city").first())
    active = registration is not None and registration.is_active
    cities = event_registration_cities(user, event) if not active else None
    now = timezone.now()
    is_open = _is_open(event, now)
    if form is None and cities is not None and is_open:
        form = RegistrationForm(cities=cities)
    can_register = bool(form and form.cities) and is_open and not active
    return render(request, "events/detail.html", {
        "event": event, "places": places(event), "registration": registration,
        "active": active, "position": waiting_position(registration) if active else None,
        "open": is_open, "started": now >= event.starts_at,
        "form": form if can_register else None, "can_register": can_register,
        "error": error,
        "show_link": user.has_perm("events.view_event_link", event),
    }, status=status)


def event_detail(request, pk):
    return _detail_page(request, _event_or_404(pk))


@require_POST
def register(request, pk):
    event = _event_or_404(pk)
    if not request.user.is_authenticated:
        return redirect_to_login(event.get_absolute_url())
    if not request.user.has_perm("events.register", event):
        return _detail_page(request, event, status=403,
                            error=_("You cannot register for this event."))
    form = RegistrationForm(request.POST, cities=event_registration_cities(request.user, event))
    if not form.is_valid():
        return _detail_page(request, event, form=form, status=400)
    try:
        registration = services.registration_create(event=event, user=request.user,
                                                    city=form.cleaned_data["city"])
    except ValidationError as error:
        return _refused(request, event, error)
    if registration.status == RegistrationStatus.CONFIRMED:
        messages.success(request, _("You are registered. A confirmation with a calendar file "
                                    "is on its way to your e-mail address."))
    else:
        messages.info(request, _("The event is fully booked: you are on the waiting list, "
                                 "position %(position)s. We will write to you if you get a "
                                 "place.") % {"position": waiting_position(registration)})
    return redirect(event)


@require_POST
def unregister(request, pk):
    event = _event_or_404(pk)
    if not request.user.is_authenticated:
        return redirect_to_login(event.get_absolute_url())
    registration = (Registration.objects.filter(event=event, user=request.user)
                    .exclude(status=RegistrationStatus.CANCELLED).first())
    if registration is None:
        return _detail_page(request, event, status=400,
                            error=_("You are not registered for this event."))
    if not request.user.has_perm("events.unregister", registration):
        return _detail_page(request, event, status=403,
                            error=_("You cannot change this registration."))
    try:
        services.registration_cancel(registration=registration)
    except ValidationError as error:
        return _refused(request, event, error)
    messages.success(request, _("You are unregistered from this event."))
    return redirect(event)


def _refused(request, event, error: ValidationError):
    """A rule refused the change (deadline, start): show why, with a 400."""
    event = _event_or_404(event.pk)  # counts as they are now
    return _detail_page(request, event, status=400, error=" ".join(error.messages))


def event_ics(request, pk):
    """One event as an .ics file; the online link only for participants and staff."""
    event = get_object_or_404(Event, pk=pk)
    body = events_ical([event], language=translation.get_language(),
                       with_link=request.user.has_perm("events.view_event_link", event))
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response
