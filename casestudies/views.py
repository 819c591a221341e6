"""The researchers' pages: read, write (with a preview), versions, comparison, restore.

Every write goes through ``casestudies.services``; every "may they?" to the permissions
module. A case study someone may not read is a 404, one they may read but not write a 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import approval_cities, review_actions, viewable_case_studies
from casestudies import services
from casestudies.citation import citation
from casestudies.enums import CaseStudyStatus, ReviewAction
from casestudies.forms import (
    CaseStudyForm,
    CodedItemFormSet,
    ReviewForm,
    items_formset,
    ordered_items,
)
from casestudies.models import CaseStudy, Category
from casestudies.selectors import (
    case_study_with_items,
    categories_by_slug,
    compare,
    current_version,
    version_context,
    version_or_404,
)
from casestudies.validators import CITY_ACTIONS, validate_editable
from core.conflicts import EditConflict
from core.unsaved import login_required_keeping_post, unsaved_post
from programme.models import Topic
from tandems.models import Membership, TandemTopic


def case_study_or_404(request, pk, perm="casestudies.view_casestudy") -> CaseStudy:
    case_study = case_study_with_items(pk)
    if not request.user.has_perm("casestudies.view_casestudy", case_study):
        raise Http404
    if perm != "casestudies.view_casestudy" and not request.user.has_perm(perm, case_study):
        raise PermissionDenied
    return case_study


def case_study_list(request):
    """The case studies the user may read, by tandem, with their topics; the published ones
    with their citation line. ``?topic=<slug>`` keeps the tandems working on one topic."""
    published_title = CaseStudy.history.filter(
        id=OuterRef("pk"), version=OuterRef("published_version")).values("title")[:1]
    case_studies = (viewable_case_studies(request.user)
                    .select_related("tandem__programme")
                    .annotate(published_title=Subquery(published_title))
                    .prefetch_related(
                        Prefetch("tandem__memberships",
                                 queryset=Membership.objects.select_related("city")),
                        Prefetch("tandem__topics",
                                 queryset=TandemTopic.objects.select_related("topic")),
                        "researchers"))
    topics = list(Topic.objects.filter(pk__in=TandemTopic.objects.filter(
        tandem__case_study__in=viewable_case_studies(request.user)).values("topic")))
    topic = next((t for t in topics if t.slug == request.GET.get("topic")), None)
    if topic is not None:
        case_studies = case_studies.filter(tandem__topics__topic=topic)
    # Staff and researchers read every working copy; others the titles as published.
    working_titles = request.user.has_perm("casestudies.view_working_copy")
    language = translation.get_language()
    rows = []
    for cs in case_studies:
        as_published = not working_titles and cs.published_title is not None
        rows.append({
            "case_study": cs,
            "title": cs.published_title if as_published else cs.title,
            "status": (CaseStudyStatus.PUBLISHED.label if as_published
                       else cs.get_status_display()),
            "citation": (citation(cs, cs.published_version, language, cs.published_title)
                         if cs.published_version else "")})
    return render(request, "casestudies/list.html", {
        "rows": rows, "topics": topics, "topic": topic,
        "can_see_synthesis": request.user.has_perm("casestudies.view_synthesis")})


def case_study_detail(request, pk):
    case_study = case_study_or_404(request, pk)
    return _detail_page(request, case_study)


def _detail_page(request, case_study, *, review_form=None, status=200):
    user = request.user
    working_copy = user.has_perm("casestudies.view_working_copy", case_study)
    # The public (and a city after a new draft began) read the published version.
    version = (current_version(case_study) if working_copy
               else version_or_404(case_study, case_study.published_version))
    return render(request, "casestudies/detail.html", {
        "case_study": case_study, "working_copy": working_copy,
        "can_edit": user.has_perm("casestudies.change_casestudy", case_study),
        "can_see_versions": user.has_perm("casestudies.view_casestudy_versions", case_study),
        "review": _review_context(request, case_study, review_form) if working_copy else None,
        "citation": citation(case_study, version.number, translation.get_language(),
                             version.title),
        **version_context(version, categories_by_slug()),
    }, status=status)


def _review_context(request, case_study, form) -> dict:
    """The steps so far, and the steps this person may take now."""
    user = request.user
    steps = case_study.review_steps.select_related("by", "city")
    cities = approval_cities(user, case_study)
    allowed = review_actions(user, case_study)
    return {
        "steps": steps, "actions": allowed,
        "form": form or ReviewForm(cities=cities),
        "cities": list(cities) if any(a in CITY_ACTIONS for a in allowed) else [],
    }


@require_POST
def review_step(request, pk):
    """Take one review step from the case study's page."""
    case_study = case_study_or_404(request, pk)
    cities = approval_cities(request.user, case_study)
    form = ReviewForm(request.POST, cities=cities)
    if not form.is_valid():
        return _detail_page(request, case_study, review_form=form, status=400)
    action = form.cleaned_data["action"]
    if action not in review_actions(request.user, case_study):
        raise PermissionDenied
    try:
        services.casestudy_transition(
            case_study=case_study, action=action, by=request.user,
            comment=form.cleaned_data["comment"], city=form.cleaned_data["city"])
    except ValidationError as error:
        form.add_error(None, error)
        return _detail_page(request, case_study, review_form=form, status=400)
    messages.success(request, _("Done: %(step)s. Everybody concerned is told by e-mail.")
                     % {"step": ReviewAction(action).label})
    return redirect(case_study)


@login_required_keeping_post(CaseStudyForm, formsets={"items": CodedItemFormSet})
def case_study_edit(request, pk):
    case_study = case_study_or_404(request, pk, "casestudies.change_casestudy")
    try:
        validate_editable(status=case_study.status)
    except ValidationError as error:
        return render(request, "casestudies/edit.html", {
            "case_study": case_study, "not_editable": error.messages[0]})
    categories = list(Category.objects.all())
    current = current_version(case_study)
    conflict = preview = None
    status = 200
    if request.method == "POST":
        form = CaseStudyForm(request.POST)
        formset = items_formset(request.POST, items=current.items, categories=categories)
        if not (form.is_valid() and formset.is_valid()):
            status = 400
        elif request.POST.get("action") == "preview":
            preview = version_context(
                _posted_version(form, formset, current), categories_by_slug())
        else:
            try:
                saved = services.casestudy_save(
                    case_study=case_study, base_version=form.cleaned_data["version"],
                    by=request.user, changes=form.changes(), items=ordered_items(formset))
            except EditConflict as error:
                # Theirs is shown; yours stays in the form, now on top of their version.
                conflict = version_context(current_version(error.current),
                                            categories_by_slug())
                form = _rebased(form, error.current.version)
                status = 409
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                messages.success(request, _("Saved as version %(number)s.")
                                 % {"number": saved.version})
                return redirect(case_study)
    else:
        restored = unsaved_post(request)
        if restored is not None:
            form = CaseStudyForm(restored)
            formset = items_formset(restored, items=current.items, categories=categories)
            messages.info(request, _("Here is the text you typed before logging in again. "
                                     "Please check it and save."))
        else:
            form = CaseStudyForm(initial={
                "version": case_study.version, "title": case_study.title,
                "language": case_study.language,
                **{name: getattr(case_study, name) for name in CaseStudy.SECTIONS}})
            formset = items_formset(items=current.items, categories=categories)
    return render(request, "casestudies/edit.html", {
        "case_study": case_study, "form": form, "formset": formset, "preview": preview,
        "conflict": conflict,
    }, status=status)


def _posted_version(form, formset, current):
    data = form.cleaned_data
    return type(current)(number=current.number, title=data["title"], language=data["language"],
                         sections={name: data[name] for name in CaseStudy.SECTIONS},
                         items=ordered_items(formset))


def _rebased(form, version: int) -> CaseStudyForm:
    data = form.data.copy()
    data["version"] = version
    rebased = CaseStudyForm(data)
    rebased.is_valid()
    return rebased


def version_list(request, pk):
    case_study = case_study_or_404(request, pk, "casestudies.view_casestudy_versions")
    versions = list(case_study.history.select_related("history_user")
                    .only("history_id", "version", "history_date", "history_user__name",
                          "history_user__email"))
    return render(request, "casestudies/versions.html", {
        "case_study": case_study, "versions": versions,
        "can_restore": request.user.has_perm("casestudies.change_casestudy", case_study),
    })


def version_detail(request, pk, number):
    case_study = case_study_or_404(request, pk, "casestudies.view_casestudy_versions")
    return render(request, "casestudies/version.html", {
        "case_study": case_study,
        "can_restore": request.user.has_perm("casestudies.change_casestudy", case_study),
        **version_context(version_or_404(case_study, number), categories_by_slug()),
    })


def version_compare(request, pk):
    case_study = case_study_or_404(request, pk, "casestudies.view_casestudy_versions")
    try:
        numbers = int(request.GET["from"]), int(request.GET["to"])
    except (KeyError, ValueError):
        return render(request, "casestudies/compare.html", {
            "case_study": case_study,
            "error": _("Please choose two versions to compare."),
        }, status=400)
    old, new = (version_or_404(case_study, number) for number in sorted(numbers))
    return render(request, "casestudies/compare.html", {
        "case_study": case_study, "old": old, "new": new,
        "changes": compare(old, new, categories_by_slug()),
    })


@require_POST
def version_restore(request, pk, number):
    case_study = case_study_or_404(request, pk, "casestudies.change_casestudy")
    version_or_404(case_study, number)
    try:
        base_version = int(request.POST.get("base_version", ""))
    except ValueError:
        base_version = 0
    try:
        saved = services.casestudy_restore(case_study=case_study, number=number,
                                           base_version=base_version, by=request.user)
    except EditConflict:
        messages.error(request, _("Someone saved a new version meanwhile; nothing was "
                                  "restored. Please look at the versions again."))
        return redirect("casestudies:versions", case_study.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("casestudies:versions", case_study.pk)
    if saved.version == case_study.version:
        messages.info(request, _("Version %(number)s is the same as the current text: "
                                 "nothing to restore.") % {"number": number})
    else:
        messages.success(request, _("Version %(old)s is restored as version %(new)s.")
                         % {"old": number, "new": saved.version})
    return redirect(case_study)
