"""Calendar files and subscription feeds (RFC 5545).

A feed lives at a secret address outside the language prefix, since calendar apps fetch it
without a login and keep the address for years; each fetch asks the permission rules again,
so a feed shows only what its user may see today.
"""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.permissions import viewable_tandems
from tandems import services
from tandems.calendar import feed_ical, meetings_ical
from tandems.models import CalendarFeed, Meeting, Membership
from tandems.selectors import calendar_meetings, tandems_with_members

CONTENT_TYPE = "text/calendar; charset=utf-8"
# What tandems.models._feed_token makes (URL-safe base64): anything else, a NUL byte
# included, is no feed and is not looked up.
FEED_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _title(user, tandem=None) -> str:
    if tandem is not None:
        return _("Tandem %(tandem)s") % {"tandem": tandem}
    return (_("All meetings of all tandems") if user.has_perm("core.access_staff_area")
            else _("Meetings of my tandems"))


@never_cache  # the page shows secret addresses
@login_required
def subscriptions(request):
    """Show the user's secret feed addresses, made on first visit; POST ``renew`` replaces one."""
    user = request.user
    if request.method == "POST":
        renew = request.POST.get("renew", "")
        feed = get_object_or_404(CalendarFeed, pk=renew if renew.isdigit() else None, user=user)
        services.calendar_feed_renew(user=user, tandem=feed.tandem)
        messages.success(request, _("The address is renewed and the old one no longer works. "
                                    "Add the new address to your calendar app."))
        return redirect("tandems:calendars")
    # Staff get one feed of everything; a feed per tandem would be a long list.
    staff = user.has_perm("core.access_staff_area")
    tandems = [] if staff else list(tandems_with_members(viewable_tandems(user)))
    feeds = []
    if staff or tandems:
        feeds.append((services.calendar_feed_get(user=user), _title(user)))
    feeds += [(services.calendar_feed_get(user=user, tandem=tandem), _title(user, tandem))
              for tandem in tandems]
    rows = []
    for feed, title in feeds:
        url = settings.SITE_URL + feed.get_absolute_url()
        rows.append({"feed": feed, "title": title, "url": url,
                     "webcal": "webcal://" + url.split("://", 1)[1]})
    return render(request, "tandems/calendars.html", {"feeds": rows})


@login_required
def meeting_ics(request, pk, meeting):
    """One meeting as an .ics file to import."""
    meeting = get_object_or_404(calendar_meetings(), pk=meeting, tandem_id=pk)
    if not request.user.has_perm("tandems.view_meeting", meeting):
        raise Http404  # another tandem's meetings do not exist for this user
    body = meetings_ical([meeting], name=f"{settings.SITE_NAME}: {meeting.title}",
                         language=translation.get_language())
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


def feed(request, token):
    """A subscription feed: no login, the secret token is the key; a fixed number of queries."""
    if not FEED_TOKEN.fullmatch(token):
        raise Http404
    feed = (CalendarFeed.objects.filter(token=token, user__is_active=True)
            .select_related("user", "tandem")
            .prefetch_related(Prefetch("tandem__memberships",
                                       queryset=Membership.objects.select_related("city")))
            .first())
    if feed is None:
        raise Http404
    user = feed.user
    if feed.tandem is None:
        tandems = viewable_tandems(user)
    elif user.has_perm("tandems.view_tandem", feed.tandem):
        tandems = [feed.tandem]
    else:
        raise Http404  # the user's city left the tandem: its feed ends with their right to it
    with translation.override(user.language):
        name = f"{settings.SITE_NAME}: {_title(user, feed.tandem)}"
    body = feed_ical(Meeting.objects.filter(tandem__in=tandems), name=name,
                     language=user.language)
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    patch_cache_control(response, private=True, max_age=300)
    response["X-Robots-Tag"] = "noindex"
    return response
