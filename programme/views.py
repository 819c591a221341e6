from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.page_cache import cache_publicly
from programme.forms import CityProfileForm
from programme.infosheet import infosheet_filename, infosheet_pdf
from programme.models import City, PartnerInvitation, Programme, Topic
from programme.selectors import programme_facts
from programme.services import (
    city_profile_update,
    invitation_is_for,
    partner_invitation_accept,
)


def _facts():
    facts = programme_facts(now=timezone.now())
    if facts is None:
        raise Http404
    return facts


def programme_page(request):
    facts = _facts()
    return cache_publicly(render(request, "programme/programme_page.html", {"facts": facts}),
                          until=facts.next_change)


def infosheet(request):
    facts = _facts()
    language = (get_language() or "de")[:2]
    pdf = infosheet_pdf(facts=facts, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = infosheet_filename(facts=facts, language=language)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return cache_publicly(response, until=facts.next_change)


@login_required
def invitation(request, token):
    """A partner city's invited contact accepts, once signed up and logged in.

    The invitation belongs to the invited address: any other account gets a page that says
    which address it is for (403), and nothing changes.
    """
    invitation = get_object_or_404(PartnerInvitation.objects.select_related("city"),
                                   token=token)
    other_account = (not invitation.accepted_at
                     and not invitation_is_for(invitation=invitation, user=request.user))
    if request.method == "POST" and not other_account:
        try:
            partner_invitation_accept(invitation=invitation, user=request.user,
                                      now=timezone.now())
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("programme:page")
        messages.success(request, _("Welcome! Please complete your city's profile."))
        return redirect("programme:city_profile", pk=invitation.city.pk)
    return render(request, "programme/invitation.html",
                  {"invitation": invitation, "other_account": other_account,
                   "programme": Programme.objects.current()},
                  status=403 if other_account else 200)


@login_required
def city_profile(request, pk):
    city = get_object_or_404(City, pk=pk)
    if not request.user.has_perm("programme.edit_city_profile", city):
        raise Http404
    roles = {t.topic_id: t.role for t in city.topics.all()}
    topics = Topic.objects.order_by("name_" + (get_language() or "de")[:2])
    initial = {"population": city.population, "languages": city.languages,
               "time_zone": city.time_zone,
               **{f"topic_{t.slug}": roles.get(t.pk, "") for t in topics}}
    form = CityProfileForm(request.POST if request.method == "POST" else None,
                           initial=initial, topics=topics)
    if form.is_bound and form.is_valid():
        try:
            city_profile_update(city=city, data=form.cleaned_data, topics=form.chosen_topics())
        except ValidationError as error:  # the city's own rules, shown above the form
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The profile has been saved."))
            return redirect("programme:city_profile", pk=city.pk)
    return render(request, "programme/city_profile.html", {"city": city, "form": form},
                  status=400 if form.is_bound else 200)
