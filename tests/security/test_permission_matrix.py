"""Every URL pattern x every role, with the status each should get (DESIGN rule 8).

The URL names come from the resolver, so a new page without an entry in ``ROUTES`` (or in
the admin and allauth rules below) fails ``test_every_url_name_has_an_entry``. One world is
built per module (the demo data plus the roles) inside a transaction rolled back at the end;
each test runs in its own savepoint on top.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.enums import RESEARCHERS_GROUP
from accounts.models import User
from accounts.permissions import PROJECT_APPS
from applications.models import Call, ExpressionOfInterest
from applications.services import late_entry_grant
from casestudies.models import CaseStudy
from core.demo import seed
from events.models import Event
from programme.models import City
from programme.services import join_request_create, partner_invite
from tandems.enums import MeetingStatus
from tandems.models import Meeting, PairingRule, Tandem
from tandems.services import calendar_feed_get, document_add, minutes_save
from tests.factories import StaffFactory, UserFactory, member_contact, with_second_factor

# "staff_without_2fa": a staff account that has not set up its authenticator app; it has an
# ordinary user's rights (accounts.permissions.is_staff), so it gets each URL's default
# below, and the admin sends it to set one up.
ROLES = ("anonymous", "contact", "other_contact", "partner", "researcher", "other_researcher",
         "staff", "staff_without_2fa")
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

# A redirect is (302, where it goes: the start of its Location).
LOGIN = (302, "/de/accounts/login/")
ADMIN_LOGIN = (302, "/admin/login/")
HOME = (302, "/de/")
REAUTHENTICATE = (302, "/de/accounts/reauthenticate/")
SET_UP_TWO_FACTOR = (302, "/de/accounts/2fa/totp/activate/")


# -- the URL names, from the resolver -------------------------------------------------------

def url_patterns():
    """Every URL pattern as (name or None, route), walking the includes."""
    found = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(n for n in (namespace, pattern.namespace) if n)
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            else:
                name = pattern.name and (f"{namespace}:{pattern.name}" if namespace
                                         else pattern.name)
                found.append((name, prefix + str(pattern.pattern)))

    walk(get_resolver().url_patterns, "/", "")
    return found


def url_names() -> list[str]:
    return sorted({name for name, _route in url_patterns() if name})


# -- the world --------------------------------------------------------------------------------

def build_world():
    """The demo programme plus one user per role around the Krefeld – Venlo tandem."""
    now = timezone.now()
    seed(now=now)
    krefeld = Tandem.objects.get(memberships__city__name="Krefeld")
    hamm = Tandem.objects.get(memberships__city__name="Hamm")
    staff = with_second_factor(User.objects.get(email="staff@example.org"))
    researchers = Group.objects.get(name=RESEARCHERS_GROUP)
    researcher, other_researcher = UserFactory(), UserFactory()
    researcher.groups.add(researchers)
    other_researcher.groups.add(researchers)
    case_study = CaseStudy.objects.get(tandem=krefeld)
    case_study.researchers.add(researcher)
    CaseStudy.objects.get(tandem=hamm).researchers.add(other_researcher)
    contact = member_contact(krefeld)
    meeting = krefeld.meetings.filter(status=MeetingStatus.HELD).order_by("starts_at").first()
    minutes_save(meeting=meeting, text="Protokoll", base_version=0, by=contact)
    document = document_add(meeting=meeting, upload=SimpleUploadedFile("Agenda.pdf", PDF),
                            kind="agenda", uploaded_by=contact)
    city_krefeld, venlo = City.objects.get(name="Krefeld"), City.objects.get(name="Venlo")
    practice_call = Call.objects.get(is_practice=True)
    # Objects for the admin's change pages of models the demo leaves empty.
    late_entry_grant(call=practice_call, city=City.objects.get(name="Kiel"), reason="Test",
                     expires_at=now + timedelta(days=3), by=staff, now=now)
    PairingRule.objects.create(programme=krefeld.programme, german_city=city_krefeld,
                               partner_city=venlo, kind=PairingRule.Kind.REQUIRE)
    world = SimpleNamespace(
        users={"anonymous": None, "contact": contact, "other_contact": member_contact(hamm),
               "partner": member_contact(krefeld, german=False), "researcher": researcher,
               "other_researcher": other_researcher, "staff": staff,
               "staff_without_2fa": StaffFactory(second_factor=False)},
        tandem=krefeld, meeting=meeting, document=document, case_study=case_study,
        eoi=ExpressionOfInterest.objects.get(city=city_krefeld, call__is_practice=False),
        practice_call=practice_call, event=Event.objects.order_by("starts_at").first(),
        feed=calendar_feed_get(user=contact, tandem=krefeld), venlo=venlo,
        join_request=join_request_create(user=UserFactory(), city=city_krefeld, now=now),
        invitation=partner_invite(city=venlo, email="neu@venlo.example", by=staff, now=now),
    )
    # Log each role in once; each test reuses the session (its changes roll back).
    world.sessions = {}
    for role, user in world.users.items():
        if user is not None:
            client = Client()
            client.force_login(user)
            world.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return world


def client_for(world, role, **options) -> Client:
    client = Client(**options)
    if role in world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


# -- the table --------------------------------------------------------------------------------

class Route:
    def __init__(self, expect, kwargs=None, query="", args=None):
        self.expect, self.query = expect, query
        self.kwargs = kwargs or (lambda w: {})
        self.args = args or (lambda w: ())

    def url(self, name, world) -> str:
        return reverse(name, args=self.args(world), kwargs=self.kwargs(world)) + self.query


def E(default, **roles):
    """The expected status for each role: ``default`` unless named."""
    assert set(roles) <= set(ROLES), roles
    return {role: roles.get(role, default) for role in ROLES}


def members(ok=200):
    """For the Krefeld tandem's pages: its two cities' contacts and staff; nobody else."""
    return E(404, anonymous=LOGIN, contact=ok, partner=ok, staff=ok)


RESEARCH = {"researcher": 200, "other_researcher": 200, "staff": 200}


def _tandem(w):
    return {"pk": w.tandem.pk}


def _meeting(w):
    return {"pk": w.tandem.pk, "meeting": w.meeting.pk}


def _cs(w):
    return {"pk": w.case_study.pk}


def _eoi(w):
    return {"pk": w.eoi.pk}


ROUTES = {
    "healthz": Route(E(200)),
    # The secret token is the key (calendar apps have no login); the view checks the
    # feed owner's rights on every fetch.
    "calendar_feed": Route(E(200), lambda w: {"token": w.feed.token}),
    "programme:page": Route(E(200)),
    "programme:infosheet": Route(E(200)),
    # The token in the e-mailed link is the key; accepting it needs a login with the invited
    # address (nobody here has it: the page says whose invitation it is).
    "programme:invitation": Route(E(403, anonymous=LOGIN),
                                  lambda w: {"token": w.invitation.token}),
    "programme:city_profile": Route(E(404, anonymous=LOGIN, partner=200, staff=200),
                                    lambda w: {"pk": w.venlo.pk}),
    "applications:mine": Route(E(200, anonymous=LOGIN)),
    "applications:start": Route(E(200, anonymous=LOGIN),
                                lambda w: {"call_id": w.practice_call.pk}),
    "applications:detail": Route(E(404, anonymous=LOGIN, contact=200, staff=200), _eoi),
    # Applicants edit (the 2022 call is closed: the page says so); staff work in the admin.
    "applications:edit": Route(E(404, anonymous=LOGIN, contact=200), _eoi),
    "applications:pdf": Route(E(404, anonymous=LOGIN, contact=200, staff=200), _eoi),
    "applications:withdraw": Route(E(405, anonymous=LOGIN), _eoi),
    "applications:delete": Route(E(405, anonymous=LOGIN), _eoi),
    "applications:join": Route(E(405, anonymous=LOGIN), lambda w: {"city_id": w.eoi.city_id}),
    "applications:decide_join": Route(E(405, anonymous=LOGIN),
                                      lambda w: {"pk": w.join_request.pk}),
    "tandems:participating": Route(E(200)),
    "tandems:calendars": Route(E(200, anonymous=LOGIN)),
    "tandems:timeline": Route(E(200, anonymous=LOGIN)),
    "tandems:detail": Route(members(), _tandem),
    "tandems:meeting_create": Route(members(), _tandem),
    "tandems:meeting": Route(members(), _meeting),
    "tandems:meeting_edit": Route(members(), _meeting),
    "tandems:meeting_status": Route(E(405), _meeting),
    "tandems:minutes": Route(members(), _meeting),
    "tandems:meeting_ics": Route(members(), _meeting),
    "tandems:document_upload": Route(E(405), _meeting),
    "tandems:document": Route(members(), lambda w: {**_meeting(w), "document": w.document.pk}),
    "events:list": Route(E(200)),
    "events:detail": Route(E(200), lambda w: {"pk": w.event.pk}),
    "events:ics": Route(E(200), lambda w: {"pk": w.event.pk}),
    "events:register": Route(E(405), lambda w: {"pk": w.event.pk}),
    "events:unregister": Route(E(405), lambda w: {"pk": w.event.pk}),
    "reports:latest": Route(E(403, anonymous=LOGIN, staff=(302, "/de/bericht/"))),
    "reports:report": Route(E(403, anonymous=LOGIN, staff=200), lambda w: {"year": 2023}),
    "casestudies:list": Route(E(200)),
    "casestudies:synthesis": Route(E(403, anonymous=LOGIN, **RESEARCH)),
    # A draft: researchers read every case study, the cities see it only once sent to them.
    "casestudies:detail": Route(E(404, **RESEARCH), _cs),
    "casestudies:edit": Route(E(404, anonymous=LOGIN, researcher=200, other_researcher=403,
                                staff=200), _cs),
    "casestudies:pdf": Route(E(404, **RESEARCH), _cs),
    "casestudies:review": Route(E(405), _cs),
    "casestudies:versions": Route(E(404, **RESEARCH), _cs),
    "casestudies:version": Route(E(404, **RESEARCH), lambda w: {**_cs(w), "number": 1}),
    "casestudies:restore": Route(E(405), lambda w: {**_cs(w), "number": 1}),
    "casestudies:compare": Route(E(404, **RESEARCH), _cs, query="?from=1&to=2"),
    "accounts:delete": Route(E(200, anonymous=LOGIN)),
    "accounts:data": Route(E(200, anonymous=LOGIN)),
    "notifications:preferences": Route(E(200, anonymous=LOGIN)),
    "core:page": Route(E(200), lambda w: {"slug": "impressum"}),
    # allauth: what its pages do for a visitor and for someone logged in by force_login (no
    # recent password entry, so the security pages ask to reauthenticate first).
    "account_login": Route(E(HOME, anonymous=200)),
    "account_signup": Route(E(HOME, anonymous=200)),
    "account_logout": Route(E(200, anonymous=(302, "/"))),
    "account_inactive": Route(E(200)),
    "account_email": Route(E(200, anonymous=LOGIN)),
    "account_email_verification_sent": Route(E(200)),
    "account_confirm_email": Route(E(200), lambda w: {"key": "not-a-key"}),
    "account_confirm_login_code": Route(E(HOME, anonymous=LOGIN)),
    "account_reauthenticate": Route(E(200, anonymous=LOGIN)),
    "account_request_reauthentication_code": Route(E(200, anonymous=LOGIN)),
    "account_confirm_reauthentication_code": Route(
        E((302, "/de/accounts/reauthenticate/code/"), anonymous=LOGIN)),
    "account_change_password": Route(E(200, anonymous=LOGIN)),
    "account_set_password": Route(E((302, "/de/accounts/password/change/"), anonymous=LOGIN)),
    "account_reset_password": Route(E(200)),
    "account_reset_password_done": Route(E(200)),
    "account_reset_password_from_key": Route(E(200),
                                             lambda w: {"uidb36": "1", "key": "not-a-key"}),
    "account_reset_password_from_key_done": Route(E(200)),
    "mfa_index": Route(E(200, anonymous=LOGIN)),
    "mfa_authenticate": Route(E(HOME, anonymous=LOGIN)),
    "mfa_reauthenticate": Route(E(REAUTHENTICATE, anonymous=LOGIN, staff=200)),
    "mfa_activate_totp": Route(E(REAUTHENTICATE, anonymous=LOGIN)),
    "mfa_deactivate_totp": Route(E(404, anonymous=LOGIN, staff=REAUTHENTICATE)),
    "mfa_view_recovery_codes": Route(E(404, anonymous=LOGIN)),
    "mfa_generate_recovery_codes": Route(E(REAUTHENTICATE, anonymous=LOGIN)),
    "mfa_download_recovery_codes": Route(E(404, anonymous=LOGIN)),
}

# -- the admin: one group, staff in, everyone else to the admin's login ----------------------

# The model admins turn these down for staff on purpose.
ADMIN_REFUSED = {
    "admin:applications_expressionofinterest_add",  # municipalities apply themselves
    "admin:notifications_message_add",  # mail comes from the services
    "admin:programme_joinrequest_add",  # people ask to join themselves
}
# The first row of these stays on record: its delete page sends staff back to the row with
# a message that says what to do instead (core.admin.DeleteGuard).
ADMIN_KEPT_ON_DELETE = {
    "admin:applications_expressionofinterest_delete", "admin:casestudies_category_delete",
    "admin:events_event_delete", "admin:notifications_message_delete",
    "admin:tandems_meeting_delete", "admin:tandems_membership_delete",
    "admin:tandems_tandem_delete",
}


def _admin_route(name) -> Route | None:
    short = name.split(":", 1)[1]
    fixed = {"index": {}, "jsi18n": {}, "password_change": {}, "password_change_done": {},
             "app_list": {"app_label": "tandems"}}
    if name == "admin:login":  # allauth's login, for staff only
        return Route(E(403, anonymous=(302, "/de/accounts/login/?next=%2Fadmin%2F"),
                       staff=(302, "/admin/")))
    if name == "admin:logout":  # POST only; the admin sends outsiders to its index
        return Route(E((302, "/admin/"), staff=405))
    if short in fixed:
        return Route(E(ADMIN_LOGIN, staff=200), lambda w: fixed[short])
    if short == "autocomplete":
        return Route(E(ADMIN_LOGIN, staff=200),
                     query="?app_label=applications&model_name=lateentry&field_name=city&term=K")
    if short == "view_on_site":
        return Route(E(ADMIN_LOGIN, staff=(302, "http://testserver/de/tandems/")),
                     lambda w: {"content_type_id": ContentType.objects.get_for_model(Meeting).pk,
                                "object_id": w.meeting.pk})
    if short == "auth_user_password_change":
        return Route(E(ADMIN_LOGIN, staff=200), lambda w: {"id": w.users["contact"].pk})
    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if not short.startswith(prefix):
            continue
        action = short[len(prefix):]
        # Staff run the platform's own apps; users' groups, addresses and authenticators
        # are not theirs (accounts.permissions.PermissionBackend).
        staff = (200 if model._meta.app_label in PROJECT_APPS and name not in ADMIN_REFUSED
                 else 403)

        def first(model=model):
            return model._default_manager.order_by("pk").first()

        if action in ("changelist", "add", "dashboard", "export_csv", "export_xlsx",
                      "suggestions"):
            return Route(E(ADMIN_LOGIN, staff=staff))
        if name in ADMIN_KEPT_ON_DELETE:
            staff = (302, f"/admin/{model._meta.app_label}/{model._meta.model_name}/")
        if action in ("change", "history", "delete"):
            return Route(E(ADMIN_LOGIN, staff=staff), lambda w: {"object_id": first().pk})
        if action == "simple_history":
            return Route(E(ADMIN_LOGIN, staff=staff), args=lambda w: (
                first().pk, first().history.order_by("history_id").first().history_id))
        if action == "score":
            return Route(E(ADMIN_LOGIN, staff=staff), lambda w: {"pk": w.eoi.pk})
        if action == "participants":
            return Route(E(ADMIN_LOGIN, staff=staff),
                         lambda w: {"pk": w.event.pk, "fmt": "csv"})
    return None


def route_for(name) -> Route | None:
    if name in ROUTES:
        return ROUTES[name]
    if name.startswith("admin:"):
        route = _admin_route(name)
        if route is not None:  # staff without a second factor: to the set-up page first
            route.expect = {**route.expect, "staff_without_2fa": SET_UP_TWO_FACTOR}
        return route
    return None


# Real bugs the matrix found: the cell is expected to fail until the bug is fixed.
COVERED = [name for name in url_names() if route_for(name) is not None]
MATRIX = [(name, role) for name in COVERED for role in ROLES]


def finish(response) -> None:
    """Read a file download to its end, so the test client closes the file.

    Not ``response.close()``: outside the test client that fires ``request_finished``, which
    closes the database connection in the middle of the module's transaction.
    """
    if response.streaming:
        b"".join(response.streaming_content)


def check(response, expected) -> str | None:
    """None if ``response`` is what ``expected`` says, else what it was."""
    status, where = expected if isinstance(expected, tuple) else (expected, None)
    location = response.get("Location", "")
    if response.status_code == status and (where is None or location.startswith(where)):
        return None
    return f"{response.status_code} {location}".strip()


# -- the tests --------------------------------------------------------------------------------

def test_every_url_name_has_an_entry():
    unnamed = [route for name, route in url_patterns()
               if name is None and not route.startswith("/admin/")]
    assert not unnamed, f"give these URL patterns a name: {unnamed}"
    missing = [name for name in url_names() if route_for(name) is None]
    assert not missing, ("add an entry for each of these URL names to ROUTES in "
                         f"{__file__}: {missing}")
    stale = sorted(set(ROUTES) - set(url_names()))
    assert not stale, f"these ROUTES entries name no URL any more: {stale}"


def test_matrix_size():
    admin_names = [name for name in COVERED if name.startswith("admin:")]
    print(f"\npermission matrix: {len(COVERED)} URL names ({len(admin_names)} admin) x "
          f"{len(ROLES)} roles = {len(MATRIX)} cells")
    assert len(MATRIX) == len(url_names()) * len(ROLES)


def get(world, name, role) -> str | None:
    """GET ``name`` as ``role``: None if the status is as expected, else a line saying why."""
    route = route_for(name)
    url = route.url(name, world)
    response = client_for(world, role).get(url)
    finish(response)
    got = check(response, route.expect[role])
    return got and f"{name} as {role}: GET {url} expected {route.expect[role]}, got {got}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", COVERED)
def test_get_as_every_role(world, name):
    """One URL name, every role (one test per name keeps the run fast)."""
    failures = [get(world, name, role) for role in ROLES]
    failures = [failure for failure in failures if failure]
    assert not failures, "\n".join(failures)


# Every object of the Krefeld tandem and its municipality, as (URL name, method).
KREFELD_OBJECTS = [
    ("tandems:detail", "get"), ("tandems:meeting_create", "get"), ("tandems:meeting", "get"),
    ("tandems:meeting_edit", "get"), ("tandems:minutes", "get"), ("tandems:meeting_ics", "get"),
    ("tandems:document", "get"), ("tandems:meeting_status", "post"),
    ("tandems:document_upload", "post"), ("tandems:minutes", "post"),
    ("tandems:meeting_edit", "post"), ("tandems:meeting_create", "post"),
    ("casestudies:detail", "get"), ("casestudies:edit", "get"), ("casestudies:pdf", "get"),
    ("casestudies:versions", "get"), ("casestudies:version", "get"),
    ("casestudies:compare", "get"), ("casestudies:review", "post"),
    ("casestudies:restore", "post"), ("casestudies:edit", "post"),
    ("applications:detail", "get"), ("applications:edit", "get"), ("applications:pdf", "get"),
    ("applications:edit", "post"), ("applications:withdraw", "post"),
    ("applications:delete", "post"), ("applications:decide_join", "post"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["other_contact", "staff_without_2fa"])
@pytest.mark.parametrize(("name", "method"), KREFELD_OBJECTS,
                         ids=[f"{n}-{m}" for n, m in KREFELD_OBJECTS])
def test_contact_of_another_municipality_reaches_no_krefeld_object(world, name, method, role):
    """Direct object URLs of another tandem's data are 403 or 404, reading and writing; for
    another city's contact and for staff who have not set up their second factor."""
    url = route_for(name).url(name, world)
    response = getattr(client_for(world, role), method)(url, {"save": "1"})
    finish(response)
    assert response.status_code in (403, 404), f"{method.upper()} {url}: {response.status_code}"


def test_the_krefeld_object_list_names_every_object_url():
    """A new page about a tandem, meeting, case study or application joins the list above."""
    listed = {name for name, _method in KREFELD_OBJECTS}
    object_urls = {name for name, route in url_patterns()
                   if name and name.split(":")[0] in ("tandems", "casestudies", "applications")
                   and "<int:pk>" in route}
    # Not Krefeld's: the join request is asked for a city (a POST for anyone logged in).
    assert object_urls - listed == set(), f"add to KREFELD_OBJECTS: {object_urls - listed}"


@pytest.mark.django_db
def test_someone_who_just_claims_krefeld_sees_no_tandem_data(world):
    """Starting a practice application for Krefeld makes a user an unverified contact of
    Krefeld; only staff verification may open the tandem's meetings, minutes and files."""
    stranger = UserFactory()
    client = Client()
    client.force_login(stranger)
    response = client.post(reverse("applications:start", args=[world.practice_call.pk]),
                           {"name": "Krefeld", "ags": "05114000", "population": "227000"})
    assert response.status_code == 302, response.status_code
    leaked = {}
    for name in ("tandems:detail", "tandems:meeting", "tandems:minutes", "tandems:document",
                 "applications:detail"):
        url = (reverse("applications:detail", args=[world.eoi.pk])
               if name == "applications:detail" else route_for(name).url(name, world))
        response = client.get(url)
        finish(response)
        if response.status_code not in (403, 404):
            leaked[url] = response.status_code
    assert not leaked, f"an unverified claimant of Krefeld reads: {leaked}"
