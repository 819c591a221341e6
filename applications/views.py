from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import editable_expressions, spoken_for
from applications import services
from applications.documents import eoi_pdf
from applications.forms import ExpressionOfInterestForm, StartForm
from applications.models import Call, ExpressionOfInterest, LateEntry
from applications.validators import is_within_deadline
from core.ratelimit import limit_posts
from programme.models import City, JoinRequest, Topic
from programme.services import german_city_for_ags, join_request_create, join_request_decide


def _eoi_or_404(request, pk, perm="applications.edit_expressionofinterest"):
    eoi = get_object_or_404(
        ExpressionOfInterest.objects.select_related("call__programme", "city"), pk=pk)
    if not request.user.has_perm(perm, eoi):
        raise Http404  # another municipality's entry: as if it did not exist
    return eoi


def _is_open(eoi, now) -> bool:
    late = services.late_entry_for(call=eoi.call, city=eoi.city)
    return eoi.status in services.EDITABLE and is_within_deadline(call=eoi.call, now=now,
                                                                  late_entry=late)


def _add_errors(form, error: ValidationError) -> None:
    """Show a service's refusal next to the field it concerns, or at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def my_applications(request):
    now = timezone.now()
    # The entries this person works on, as the permissions module says (never a list of
    # everything a claimed municipality ever sent).
    expressions = (editable_expressions(request.user).select_related("call", "city")
                   .order_by("-call__closes_at", "city__name"))
    calls = Call.objects.open_at(now).select_related("programme").order_by("is_practice")
    return render(request, "applications/my_applications.html",
                  {"expressions": expressions, "open_calls": calls})


@login_required
@limit_posts("expression_of_interest")
def start(request, call_id):
    call = get_object_or_404(Call.objects.select_related("programme"), pk=call_id)
    now = timezone.now()
    # A late entry opens the form for the people who speak for its municipality.
    late = LateEntry.objects.filter(call=call, city__in=spoken_for(request.user),
                                    expires_at__gte=now).exists()
    is_open = is_within_deadline(call=call, now=now) or late
    form = StartForm(request.POST if request.method == "POST" and is_open else None)
    join_city = None
    if request.method == "POST" and not is_open:
        return render(request, "applications/start.html", {"call": call, "is_open": False},
                      status=400)
    if form.is_bound and form.is_valid():
        try:
            with transaction.atomic():
                city = german_city_for_ags(ags=form.cleaned_data["ags"],
                                           name=form.cleaned_data["name"],
                                           population=form.cleaned_data["population"])
                eoi = services.eoi_start(call=call, city=city, user=request.user, now=now)
        except ValidationError as error:
            _add_errors(form, error)
            if getattr(error, "code", None) == "exists":
                # Without showing its content: the person may ask the contacts to join.
                join_city = City.objects.get(ags=form.cleaned_data["ags"])
        else:
            messages.success(request, _("Your draft has been created. You can save it at any "
                                        "time and come back later."))
            return redirect("applications:edit", pk=eoi.pk)
    return render(request, "applications/start.html",
                  {"call": call, "form": form, "is_open": is_open, "join_city": join_city},
                  status=400 if form.is_bound else 200)


FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@login_required
@limit_posts("expression_of_interest")
def edit(request, pk):
    eoi = _eoi_or_404(request, pk)
    now = timezone.now()
    if request.method == "POST":
        # Only this page's own form: anything else could blank the saved answers.
        if request.content_type not in FORM_CONTENT_TYPES:
            return HttpResponse(_("Please send the form from the page."), status=415)
        if "save" not in request.POST and "submit" not in request.POST:
            return HttpResponseBadRequest(_("Please send the form from the page."))
    if not _is_open(eoi, now):
        return render(request, "applications/closed.html", {"eoi": eoi},
                      status=400 if request.method == "POST" else 200)
    interests = list(eoi.topic_interests.select_related("topic"))
    form = ExpressionOfInterestForm(
        request.POST if request.method == "POST" else None,
        initial=ExpressionOfInterestForm.initial_for(eoi, interests),
        topics=Topic.objects.order_by("name_" + (get_language() or "de")[:2]),
        meeting_years=eoi.call.programme.meeting_years,
    )
    if form.is_bound and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items()
                if k in services.EOI_FIELDS}
        try:
            eoi = services.eoi_update(eoi=eoi, data=data, topics=form.chosen_topics(),
                                      consent=form.cleaned_data["consent"], now=now)
            if "submit" in request.POST and eoi.status == "draft":
                eoi = services.eoi_submit(eoi=eoi, user=request.user, now=now)
                messages.success(request, _("Thank you. Your expression of interest has been "
                                            "submitted under the reference %(reference)s. A "
                                            "confirmation is on its way by e-mail.")
                                 % {"reference": eoi.reference})
                return redirect("applications:detail", pk=eoi.pk)
        except ValidationError as error:
            _add_errors(form, error)
            if "submit" in request.POST:
                form.add_error(None, _("Your entries are saved as a draft, but it has not been "
                                       "submitted yet."))
        else:
            messages.success(request, _("Your entries have been saved."))
            return redirect("applications:edit", pk=eoi.pk)
    return render(request, "applications/edit.html", {"eoi": eoi, "form": form},
                  status=400 if form.is_bound else 200)


@login_required
def detail(request, pk):
    eoi = _eoi_or_404(request, pk, perm="applications.view_expressionofinterest")
    interests = eoi.topic_interests.select_related("topic")
    # Only the requests this person may decide (staff, a verified contact; not one's own).
    join_requests = [join_request for join_request in
                     eoi.city.join_requests.filter(decided_at=None).select_related("user")
                     if request.user.has_perm("programme.decide_joinrequest", join_request)]
    return render(request, "applications/detail.html", {
        "eoi": eoi, "interests": interests, "is_open": _is_open(eoi, timezone.now()),
        "can_edit": request.user.has_perm("applications.edit_expressionofinterest", eoi),
        "join_requests": join_requests})


@login_required
@require_POST
def ask_to_join(request, city_id):
    city = get_object_or_404(City, pk=city_id)
    try:
        join_request_create(user=request.user, city=city, now=timezone.now())
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Your request has been sent. The verified contacts of "
                                    "%(city)s or the project team decide on it; you will get "
                                    "an e-mail when it has been decided.")
                         % {"city": city.name})
    return redirect("applications:mine")


@login_required
@require_POST
def decide_join(request, pk):
    join_request = get_object_or_404(JoinRequest.objects.select_related("city"), pk=pk)
    if not request.user.has_perm("programme.decide_joinrequest", join_request):
        raise Http404
    approve = request.POST.get("decision") == "approve"
    try:
        join_request_decide(request=join_request, by=request.user, approve=approve,
                            now=timezone.now())
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The request has been approved.") if approve
                         else _("The request has been declined."))
    # Only a path on this site: anything else (another host, a bare word) goes to the list.
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("applications:mine")


@login_required
def pdf(request, pk):
    eoi = _eoi_or_404(request, pk, perm="applications.view_expressionofinterest")
    response = HttpResponse(eoi_pdf(eoi, (get_language() or "de")[:2]),
                            content_type="application/pdf")
    name = eoi.reference or f"interessenbekundung-{eoi.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@login_required
@require_POST
def withdraw(request, pk):
    eoi = services.eoi_withdraw(eoi=_eoi_or_404(request, pk), by=request.user,
                                now=timezone.now())
    messages.success(request, _("The expression of interest has been withdrawn."))
    return redirect("applications:detail", pk=eoi.pk)


@login_required
@require_POST
def delete_draft(request, pk):
    eoi = _eoi_or_404(request, pk)
    try:
        services.eoi_delete_draft(eoi=eoi)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("applications:detail", pk=eoi.pk)
    messages.success(request, _("The draft has been deleted."))
    return redirect("applications:mine")
