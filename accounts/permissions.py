"""The one place that answers "may this user do this to that object?".

Views, templates (``{% load rules %}{% has_perm ... %}``) and the admin all ask
``user.has_perm(name, obj)``, which Django routes here through
:class:`PermissionBackend`. Later features add their rules at the bottom, one
``rules.add_perm`` per question, built from the role predicates below.

Roles: staff are active ``is_staff`` users with an authenticator app (TOTP) and may do
everything in the platform's own apps; a staff account without one is an ordinary user
until it sets one up. Researchers are members of the ``researchers`` group; a city's
contacts are users with a staff-verified ``CityContact`` for that city. An unverified
``CityContact`` (made when someone starts a draft or is let join) is only a claim for
staff to check: no rule below counts it.
"""

import rules
from django.db.models import F, Q

from accounts.enums import RESEARCHERS_GROUP

PROJECT_APPS = {"accounts", "programme", "applications", "notifications", "tandems", "events",
                "reports", "casestudies"}


def has_second_factor(user) -> bool:
    """True if ``user`` has set up an authenticator app (TOTP).

    Looked up once per user object (a request's user, a feed's owner), so that a page
    asking many questions pays one query.
    """
    if not user.is_authenticated:
        return False
    known = getattr(user, "_has_second_factor", None)
    if known is None:
        from allauth.mfa.models import Authenticator

        known = Authenticator.objects.filter(user_id=user.pk,
                                             type=Authenticator.Type.TOTP).exists()
        user._has_second_factor = known
    return known


@rules.predicate
def is_staff(user):
    """Staff rights: an active staff account with a second factor, superuser or not."""
    return bool(user.is_authenticated and user.is_active and user.is_staff
                and has_second_factor(user))


def needs_second_factor(user) -> bool:
    """True for a staff account whose rights wait for an authenticator app."""
    return bool(user.is_authenticated and user.is_active and user.is_staff
                and not has_second_factor(user))


def staff_members():
    """Everybody who holds staff rights now (``is_staff`` above), as a queryset of users.

    The staff who are told of things: a staff account without a second factor is not.
    Keep it in step with the predicate; tests/accounts/test_permissions.py checks they agree.
    """
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import get_user_model

    totp = Authenticator.objects.filter(type=Authenticator.Type.TOTP)
    return get_user_model().objects.filter(is_active=True, is_staff=True,
                                           pk__in=totp.values("user_id"))


is_researcher = rules.is_active & rules.is_group_member(RESEARCHERS_GROUP)


@rules.predicate
def is_verified_contact_of(user, city):
    """True if ``user`` speaks for ``city``: a contact that staff have verified."""
    if city is None or not user.is_authenticated or not user.is_active:
        return False
    return user.city_contacts.filter(city=city, verified_at__isnull=False).exists()


def spoken_for(user):
    """The cities ``user`` speaks for (``is_verified_contact_of``), as a queryset."""
    from programme.models import City

    if not user.is_authenticated or not user.is_active:
        return City.objects.none()
    return City.objects.filter(contacts__user=user, contacts__verified_at__isnull=False)


def _joined(join_requests):
    """The approved requests to join among ``join_requests``; one a person decided on their
    own (possible before the rule below was fixed) lets nobody in."""
    return join_requests.filter(approved=True).exclude(decided_by=F("user"))


@rules.predicate
def is_contact_for_eoi(user, eoi):
    """Who works on an expression of interest: the person who started it, people staff or a
    verified contact let join the municipality, and its staff-verified contacts. Starting a
    draft opens that draft only: not the municipality's other entries."""
    if eoi is None or not user.is_authenticated or not user.is_active:
        return False
    if eoi.created_by_id == user.pk or is_verified_contact_of(user, eoi.city_id):
        return True
    return _joined(user.join_requests.filter(city=eoi.city_id)).exists()


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


# -- accounts ---------------------------------------------------------------
@rules.predicate
def is_superuser(user):
    return bool(user.is_superuser and is_staff(user))


@rules.predicate
def is_superuser_account(user, account):
    return account is not None and account.is_superuser


# Only superusers manage superusers (change, set the password, deactivate, delete) and
# decide who is staff or superuser (accounts/admin.py).
rules.add_perm("accounts.manage_account", is_superuser | (is_staff & ~is_superuser_account))
rules.add_perm("accounts.grant_staff_status", is_superuser)

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
def is_verified_contact_for_request(user, join_request):
    return join_request is not None and is_verified_contact_of(user, join_request.city_id)


@rules.predicate
def asked_to_join(user, join_request):
    return join_request is not None and join_request.user_id == user.pk


# Who speaks for a municipality is decided by staff or its verified contacts, never by the
# person asking (programme.services.join_request_decide asks this too).
rules.add_perm("programme.decide_joinrequest",
               ~asked_to_join & (is_staff | is_verified_contact_for_request))
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
# Staff read every entry but change them only in the admin, superusers too
# (accounts.models.User.has_perm has no superuser shortcut).
rules.add_perm("applications.view_expressionofinterest", is_staff | is_contact_for_eoi)
rules.add_perm("applications.edit_expressionofinterest", is_contact_for_eoi)


def editable_expressions(user):
    """``applications.edit_expressionofinterest`` as one queryset: the entries ``user`` works
    on, for *My expressions of interest*.

    Keep it in step with the rule above; tests/accounts/test_permissions.py checks they agree.
    """
    from applications.models import ExpressionOfInterest

    if not user.is_authenticated or not user.is_active:
        return ExpressionOfInterest.objects.none()
    joined = _joined(user.join_requests.all()).values("city")
    return ExpressionOfInterest.objects.filter(
        Q(created_by=user) | Q(city__in=spoken_for(user)) | Q(city__in=joined))


def people_of_expressions(eois) -> dict:
    """Who works on each of ``eois`` (``is_contact_for_eoi``), as {pk: [active users]}.

    The mails about an entry (decisions, reminders) go to them, never to someone who only
    claims the municipality. Three queries, however many entries.
    """
    from django.contrib.auth import get_user_model

    from programme.models import CityContact, JoinRequest

    eois = list(eois)
    cities = {eoi.city_id for eoi in eois}
    by_city: dict = {}
    verified = CityContact.objects.filter(city__in=cities, verified_at__isnull=False)
    joined = _joined(JoinRequest.objects.filter(city__in=cities))
    for rows in (verified.values_list("city_id", "user_id"),
                 joined.values_list("city_id", "user_id")):
        for city_id, user_id in rows:
            by_city.setdefault(city_id, set()).add(user_id)
    ids = {}
    for eoi in eois:
        ids[eoi.pk] = set(by_city.get(eoi.city_id, ()))
        if eoi.created_by_id:
            ids[eoi.pk].add(eoi.created_by_id)
    users = get_user_model().objects.filter(is_active=True).in_bulk(set().union(*ids.values()))
    return {pk: sorted((users[i] for i in user_ids if i in users), key=lambda u: u.pk)
            for pk, user_ids in ids.items()}


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
