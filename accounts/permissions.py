"""The one place that answers "may this user do this to that object?".

Views, templates (``{% load rules %}{% has_perm ... %}``) and the admin all ask
``user.has_perm(name, obj)``, which Django routes here through
:class:`PermissionBackend`. Later features add their rules at the bottom, one
``rules.add_perm`` per question, built from the role predicates below.

Roles: staff are active ``is_staff`` users and may do everything in the
platform's own apps; researchers are members of the ``researchers`` group; a
city's contacts are users with a staff-verified ``CityContact`` for that city.
"""

import rules
from django.db.models import Q

from accounts.enums import RESEARCHERS_GROUP

PROJECT_APPS = {"accounts", "programme", "applications", "notifications", "tandems", "events",
                "reports", "casestudies"}


@rules.predicate
def is_staff(user):
    return bool(user.is_authenticated and user.is_active and user.is_staff)


is_researcher = rules.is_active & rules.is_group_member(RESEARCHERS_GROUP)


@rules.predicate
def is_verified_contact_of(user, city):
    """True if ``user`` speaks for ``city``: a contact that staff have verified."""
    if city is None or not user.is_authenticated:
        return False
    return user.city_contacts.filter(city=city, verified_at__isnull=False).exists()


@rules.predicate
def is_contact_of(user, city):
    """True if ``user`` is named as a contact of ``city``, verified by staff or not yet."""
    if city is None or not user.is_authenticated:
        return False
    return user.city_contacts.filter(city=city).exists()


@rules.predicate
def is_contact_for_eoi(user, eoi):
    """Who works on an expression of interest: the person who started it, people a contact
    let join the municipality, and its staff-verified contacts. Naming a municipality when
    starting a draft in another call does not open this one."""
    if eoi is None or not user.is_authenticated:
        return False
    if eoi.created_by_id == user.pk or is_verified_contact_of(user, eoi.city):
        return True
    return user.join_requests.filter(city=eoi.city_id, approved=True).exists()


@rules.predicate
def is_city_contact(user):
    """True if ``user`` speaks for any city (verified)."""
    if not user.is_authenticated:
        return False
    return user.city_contacts.filter(verified_at__isnull=False).exists()


def role_of(user) -> str:
    """Name the user's strongest role: staff, researcher, contact, user or public."""
    if is_staff(user):
        return "staff"
    if is_researcher(user):
        return "researcher"
    if is_city_contact(user):
        return "contact"
    return "user" if user.is_authenticated else "public"


# -- the public site -------------------------------------------------------
rules.add_perm("programme.view_programme", rules.always_allow)
rules.add_perm("programme.view_city", rules.always_allow)
rules.add_perm("programme.speak_for_city", is_staff | is_verified_contact_of)
rules.add_perm("programme.verify_city_contact", is_staff)


@rules.predicate
def is_partner_city(user, city):
    return city is not None and not city.is_german


rules.add_perm("programme.edit_city_profile", is_staff | (is_partner_city & is_verified_contact_of))


@rules.predicate
def is_contact_for_request(user, join_request):
    return join_request is not None and is_contact_of(user, join_request.city)


rules.add_perm("programme.decide_joinrequest", is_staff | is_contact_for_request)
rules.add_perm("core.access_staff_area", is_staff)

# -- tandems ------------------------------------------------------------------
@rules.predicate
def is_verified_tandem_member_contact(user, tandem):
    """A staff-verified contact of a city that is a current member of ``tandem``."""
    if tandem is None or not user.is_authenticated:
        return False
    return user.city_contacts.filter(city__memberships__tandem=tandem,
                                     city__memberships__left_on=None,
                                     verified_at__isnull=False).exists()


def _of_meeting(predicate):
    """Ask ``predicate`` about the tandem of a meeting (or of a document's meeting)."""

    @rules.predicate(name=f"{predicate.name}_of_meeting")
    def check(user, obj):
        meeting = getattr(obj, "meeting", obj)
        return meeting is not None and predicate(user, meeting.tandem)

    return check


rules.add_perm("tandems.view_tandem", is_staff | is_verified_tandem_member_contact)


def viewable_tandems(user):
    """``tandems.view_tandem`` as one queryset, for lists and calendar feeds over many tandems.

    Keep it in step with the rule above; tests/tandems/test_calendars.py checks they agree.
    """
    from tandems.models import Membership, Tandem

    if is_staff(user):
        return Tandem.objects.all()
    if not user.is_authenticated or not user.is_active:
        return Tandem.objects.none()
    current = Membership.objects.filter(left_on=None, city__contacts__user=user,
                                        city__contacts__verified_at__isnull=False)
    return Tandem.objects.filter(pk__in=current.values("tandem"))


# Members plan their own tandem's meetings; staff plan any in the admin.
rules.add_perm("tandems.plan_meeting", is_staff | is_verified_tandem_member_contact)
rules.add_perm("tandems.view_meeting", is_staff | _of_meeting(is_verified_tandem_member_contact))
rules.add_perm("tandems.change_meeting",
               is_staff | _of_meeting(is_verified_tandem_member_contact))
rules.add_perm("tandems.view_minutes", is_staff | _of_meeting(is_verified_tandem_member_contact))
rules.add_perm("tandems.change_minutes",
               is_staff | _of_meeting(is_verified_tandem_member_contact))
rules.add_perm("tandems.view_meetingdocument",
               is_staff | _of_meeting(is_verified_tandem_member_contact))
rules.add_perm("tandems.add_meetingdocument",
               is_staff | _of_meeting(is_verified_tandem_member_contact))

# -- expressions of interest -----------------------------------------------
# Applicant rights; the deadline itself is checked by the services, not here.
rules.add_perm("applications.view_expressionofinterest", is_staff | is_contact_for_eoi)
rules.add_perm("applications.edit_expressionofinterest", is_contact_for_eoi)

# -- reports ----------------------------------------------------------------
# The funder report: figures on every tandem and city, so staff only.
rules.add_perm("reports.view_report", is_staff)

# -- network events ----------------------------------------------------------
# Everybody reads the events; contacts of the tandem cities register for them.


def event_registration_cities(user, event):
    """The cities ``user`` may register for at ``event``, as a queryset (by name).

    A staff-verified contact of a city that is a current member of a live tandem of the
    event's programme. ``events.register`` below and the registration service both ask this.
    """
    from programme.models import City
    from tandems.enums import LIVE_STATES

    if event is None or not user.is_authenticated or not user.is_active:
        return City.objects.none()
    return (City.objects
            .filter(contacts__user=user, contacts__verified_at__isnull=False,
                    memberships__programme_id=event.programme_id, memberships__left_on=None,
                    memberships__tandem__state__in=LIVE_STATES)
            .distinct().order_by("name", "pk"))


@rules.predicate
def may_register_for_event(user, event):
    return event_registration_cities(user, event).exists()


@rules.predicate
def is_own_registration(user, registration):
    return (registration is not None and user.is_authenticated
            and registration.user_id == user.pk)


@rules.predicate
def is_event_participant(user, event):
    from events.enums import RegistrationStatus

    return (event is not None and user.is_authenticated
            and event.registrations.filter(user=user,
                                           status=RegistrationStatus.CONFIRMED).exists())


rules.add_perm("events.register", may_register_for_event)
rules.add_perm("events.unregister", is_staff | is_own_registration)
# The online link of an event is for its participants and staff, not for the public page.
rules.add_perm("events.view_event_link", is_staff | is_event_participant)


# -- case studies ------------------------------------------------------------
# Every researcher reads every case study, drafts and versions included; its assigned
# researchers and staff write it; the tandem's verified city contacts read the working
# copy once it is sent to them; everybody reads the published version.


@rules.predicate
def is_published(user, case_study):
    return case_study is not None and case_study.published_version is not None


@rules.predicate
def is_assigned_researcher(user, case_study):
    if case_study is None or not user.is_authenticated:
        return False
    return case_study.researchers.filter(pk=user.pk).exists()


@rules.predicate
def is_contact_shown_case_study(user, case_study):
    from casestudies.enums import SHOWN_TO_CITIES

    return (case_study is not None and case_study.status in SHOWN_TO_CITIES
            and is_verified_tandem_member_contact(user, case_study.tandem))


def approval_cities(user, case_study):
    """The tandem's current member cities ``user`` may approve for, as a queryset.

    Staff act for any of them; a verified contact for their own city. The review service
    records the city either way, so the city is told also when staff acted for it.
    """
    from casestudies.services import current_member_cities
    from programme.models import City

    if case_study is None or not user.is_authenticated or not user.is_active:
        return City.objects.none()
    cities = current_member_cities(case_study)
    if not is_staff(user):
        cities = cities.filter(contacts__user=user,
                               contacts__verified_at__isnull=False).distinct()
    return cities


@rules.predicate
def may_decide_for_a_city(user, case_study):
    from casestudies.enums import CaseStudyStatus

    return (case_study is not None and case_study.status == CaseStudyStatus.WITH_CITIES
            and approval_cities(user, case_study).exists())


may_read_working_copy = is_staff | is_researcher | is_contact_shown_case_study
rules.add_perm("casestudies.view_working_copy", may_read_working_copy)
rules.add_perm("casestudies.view_casestudy", may_read_working_copy | is_published)
rules.add_perm("casestudies.view_casestudy_versions", is_staff | is_researcher)
# The coded items of all case studies side by side, drafts included.
rules.add_perm("casestudies.view_synthesis", is_staff | is_researcher)
rules.add_perm("casestudies.change_casestudy",
               is_staff | (is_researcher & is_assigned_researcher))
# Submitting for review is the authors' step; the rest of the review is staff's, but for
# the cities' own verdicts.
rules.add_perm("casestudies.submit_casestudy",
               is_staff | (is_researcher & is_assigned_researcher))
rules.add_perm("casestudies.review_casestudy", is_staff)
rules.add_perm("casestudies.decide_casestudy", may_decide_for_a_city)


def review_actions(user, case_study) -> list[str]:
    """The review steps ``user`` may take on ``case_study`` in its present status."""
    from casestudies.enums import CaseStudyStatus, ReviewAction
    from casestudies.validators import TRANSITIONS

    status = case_study.status
    perms = {
        ReviewAction.SUBMIT: "casestudies.submit_casestudy",
        ReviewAction.SEND_TO_CITIES: "casestudies.review_casestudy",
        ReviewAction.PUBLISH: "casestudies.review_casestudy",
        ReviewAction.APPROVE: "casestudies.decide_casestudy",
        ReviewAction.REQUEST_CHANGES: ("casestudies.decide_casestudy"
                                       if status == CaseStudyStatus.WITH_CITIES
                                       else "casestudies.review_casestudy"),
    }
    return [action for (before, action) in TRANSITIONS
            if before == status and user.has_perm(perms[action], case_study)]


def viewable_case_studies(user):
    """``casestudies.view_casestudy`` as one queryset, for the list of case studies.

    Keep it in step with the rule above; tests/casestudies/test_permissions.py checks
    they agree.
    """
    from casestudies.enums import SHOWN_TO_CITIES
    from casestudies.models import CaseStudy
    from tandems.models import Membership

    if is_staff(user) or is_researcher(user):
        return CaseStudy.objects.all()
    published = Q(published_version__isnull=False)
    if not user.is_authenticated or not user.is_active:
        return CaseStudy.objects.filter(published)
    mine = Membership.objects.filter(left_on=None, city__contacts__user=user,
                                     city__contacts__verified_at__isnull=False)
    return CaseStudy.objects.filter(
        published | Q(status__in=SHOWN_TO_CITIES, tandem__in=mine.values("tandem")))


class PermissionBackend:
    """Route Django's permission checks to the rules above; staff run the project apps."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user, perm, obj=None):
        if rules.perm_exists(perm):
            return rules.has_perm(perm, user, obj)
        app_label = perm.split(".", 1)[0]
        return app_label in PROJECT_APPS and is_staff(user)

    def has_module_perms(self, user, app_label):
        return app_label in PROJECT_APPS and is_staff(user)
