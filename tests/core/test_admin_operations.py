"""Every model in the admin, and what each admin operation does with it.

``DECISIONS`` is the explicit table: for every model registered in the admin (Django's and
allauth's included), its add, change and delete, its history revert and each bulk action
either goes through the service that keeps the rule or is refused with a message. The tests
check the real admin against it, as a staff member with a second factor: a model registered
without a row here fails, and so does a row that the admin does not keep.

How to read a decision: "service: <function>" goes through that service; "plain: …" is
configuration that only the model's own checks guard; "kept: …" is allowed for some rows and
refused, with a message, for the rows that stay on record (core.admin.keep_on_record);
"refused: …" is not offered and refused when posted. Every project admin refuses a deletion
that would cascade to rows kept on record (core.admin.DeleteGuard).
"""

import importlib
import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from accounts.permissions import PROJECT_APPS
from core.admin import DeleteGuard, HistoryAdmin, kept_rule

pytestmark = pytest.mark.django_db

NOT_OURS = "refused: superusers only (staff hold no permissions on Django's or allauth's models)"
NO_HISTORY = "none: no history admin"
REVERT_REFUSED = "refused: the history is read only (core.admin.HistoryAdmin)"


@dataclass(frozen=True)
class Ops:
    add: str
    change: str
    delete: str
    actions: dict[str, str] = field(default_factory=dict)
    revert: str = NO_HISTORY
    guarded: bool = True  # core.admin.DeleteGuard: no deletion cascades to kept rows


DECISIONS = {
    # -- Django's and allauth's models ----------------------------------------------------
    "auth.Group": Ops(NOT_OURS, NOT_OURS, NOT_OURS),
    "account.EmailAddress": Ops(NOT_OURS, NOT_OURS, NOT_OURS),
    "mfa.Authenticator": Ops(NOT_OURS, NOT_OURS, NOT_OURS),
    # Only superusers manage superusers and decide who is staff (accounts.manage_account,
    # accounts.grant_staff_status); issue 20 may leave users and groups to superusers alone.
    "accounts.User": Ops(
        add="plain: staff add people (Django's user form; staff status read only)",
        change="plain: ordinary users; a superuser: refused, superusers only",
        delete="service: accounts.services.user_delete (what goes and what stays without the "
               "person's name, as on 'Delete account'); a superuser: refused, superusers only",
        actions={"delete_selected": "service: as delete, superusers left out with a message"},
        # The account deletion's own declaration decides what a deletion does with each
        # relation (accounts/personal_data.py), so the user admin is not guarded here.
        guarded=False),
    # -- programme --------------------------------------------------------------------------
    "programme.Programme": Ops(
        add="plain: configuration", change="plain: configuration",
        delete="plain: refused while calls, tandems or events name it (PROTECT); criteria "
               "with scores stay (DeleteGuard)",
        actions={"delete_selected": "plain: as delete"}),
    "programme.Topic": Ops(
        add="plain: the managed taxonomy", change="plain: the managed taxonomy",
        delete="plain: refused while an entry, a tandem or a city names it (PROTECT)",
        actions={"delete_selected": "plain: as delete"}),
    "programme.City": Ops(
        add="plain: staff register partner cities", change="plain: the city's profile",
        delete="plain: refused while entries, memberships, meetings or registrations name it "
               "(PROTECT)",
        actions={"delete_selected": "plain: as delete"}),
    "programme.CityContact": Ops(
        add="plain: an unverified contact (verifying is the action)",
        change="plain: verified by and at are read only",
        delete="plain: the person no longer speaks for the city",
        actions={"verify": "service: programme.services.city_contact_verify",
                 "delete_selected": "plain: as delete"}),
    "programme.JoinRequest": Ops(
        add="refused: people ask to join on the site",
        change="plain: every field read only, nothing to change",
        delete="plain: the request goes, the decision's contact stays",
        actions={"approve": "service: programme.services.join_request_decide",
                 "decline": "service: programme.services.join_request_decide",
                 "delete_selected": "plain: as delete"}),
    "programme.PartnerInvitation": Ops(
        add="service: programme.services.partner_invite",
        change="plain: read only once sent, nothing to change",
        delete="plain: the link stops working",
        actions={"delete_selected": "plain: as delete"}),
    # -- applications ----------------------------------------------------------------------
    "applications.Call": Ops(
        add="plain: configuration (closes after it opens)", change="plain: configuration",
        delete="plain: refused while an expression of interest names it (PROTECT)",
        actions={"delete_selected": "plain: as delete"}),
    "applications.Criterion": Ops(
        add="plain: staff edit the criteria", change="plain: staff edit the criteria",
        delete="plain: refused once scored against: the scores stay on record (DeleteGuard)",
        actions={"delete_selected": "plain: as delete"}),
    "applications.ExpressionOfInterest": Ops(
        add="refused: municipalities start and submit on the site (applications.services)",
        change="refused: read only; a status changes only through the decision actions",
        delete="kept: a never-submitted draft goes through "
               "applications.services.eoi_delete_draft; a submitted or decided one is "
               "refused (withdraw or decline; the retention purge anonymises)",
        actions={
            "mark_shortlisted": "service: applications.services.eoi_change_status",
            "mark_accepted": "service: applications.services.eoi_change_status",
            "mark_waitlisted": "service: applications.services.eoi_change_status",
            "mark_declined": "service: applications.services.eoi_change_status",
            "delete_selected": "kept: as delete; one kept entry refuses the whole selection",
        },
        revert=REVERT_REFUSED),
    "applications.LateEntry": Ops(
        add="service: applications.services.late_entry_grant",
        change="service: applications.services.late_entry_grant",
        delete="plain: revokes the late entry; its history stays",
        actions={"delete_selected": "plain: as delete"},
        revert=REVERT_REFUSED),
    # -- tandems ------------------------------------------------------------------------------
    "tandems.Tandem": Ops(
        add="service: tandems.services.tandem_create",
        change="service: tandems.services.tandem_set_topics (the rest is read only)",
        delete="refused: mark it as ended or dissolved",
        actions={"make_active": "service: tandems.services.tandem_set_state",
                 "make_ended": "service: tandems.services.tandem_set_state",
                 "make_dissolved": "service: tandems.services.tandem_set_state"},
        revert=REVERT_REFUSED),
    "tandems.Membership": Ops(
        add="service: tandems.services.membership_add",
        change="plain: every field read only, the save changes nothing",
        delete="refused: withdraw the city (the membership ends)",
        actions={"withdraw": "service: tandems.services.membership_end"},
        revert=REVERT_REFUSED),
    "tandems.Meeting": Ops(
        add="service: tandems.services.meeting_create",
        change="service: tandems.services.meeting_update",
        delete="refused: cancel it",
        actions={"mark_held": "service: tandems.services.meeting_set_status",
                 "mark_cancelled": "service: tandems.services.meeting_set_status",
                 "mark_planned": "service: tandems.services.meeting_set_status"},
        revert=REVERT_REFUSED),
    "tandems.PairingRule": Ops(
        add="plain: the pairing assistant's rules", change="plain: the assistant's rules",
        delete="plain: the assistant's rules", actions={"delete_selected": "plain: as delete"}),
    # -- events ---------------------------------------------------------------------------------
    "events.Event": Ops(
        add="service: events.services.event_create",
        change="service: events.services.event_update (moves the waiting list up)",
        delete="kept: an event without registrations; with registrations refused",
        actions={"export_csv": "service: events.exports (core.downloads, formula-safe)",
                 "export_xlsx": "service: events.exports (core.downloads, formula-safe)",
                 "delete_selected": "kept: as delete"}),
    # -- case studies ---------------------------------------------------------------------------
    "casestudies.Category": Ops(
        add="plain: the coding categories", change="plain: the slug is read only",
        delete="refused: earlier versions may name it; mark it as not in use"),
    "casestudies.CaseStudy": Ops(
        add="service: casestudies.services.casestudy_create",
        change="plain: only the assigned researchers (the text: casestudy_save, on its page)",
        delete="kept: a draft never published; any other refused",
        actions={"review_submit": "service: casestudies.services.casestudy_transition",
                 "review_send_to_cities": "service: casestudies.services.casestudy_transition",
                 "review_publish": "service: casestudies.services.casestudy_transition",
                 "delete_selected": "kept: as delete"}),
    # -- notifications --------------------------------------------------------------------------
    "notifications.Message": Ops(
        add="refused: messages are queued by the services",
        change="refused: the outbox is a record",
        delete="refused: a deleted reminder would be sent again (rule 6)",
        actions={"resend": "service: notifications.services.message_resend"}),
}


def allowed(decision: str) -> bool:
    return not decision.startswith(("refused", "none"))


@pytest.fixture
def staff(db):
    from tests.factories import StaffFactory

    return StaffFactory()


@pytest.fixture
def as_staff(staff):
    request = RequestFactory().get("/admin/")
    request.user = staff
    return request


def registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def test_every_model_in_the_admin_has_a_decision():
    labels = {model._meta.label for model, _admin in registered()}
    assert labels - set(DECISIONS) == set(), "add the new model's decisions to DECISIONS"
    assert set(DECISIONS) - labels == set(), "remove the decisions of a model no longer there"


@pytest.mark.parametrize(("label", "model_admin"),
                         [(model._meta.label, model_admin) for model, model_admin in registered()])
def test_the_admin_does_what_the_table_says(as_staff, label, model_admin):
    ops = DECISIONS[label]
    model = model_admin.model
    assert model_admin.has_add_permission(as_staff) is allowed(ops.add)
    assert model_admin.has_change_permission(as_staff) is allowed(ops.change)
    assert model_admin.has_delete_permission(as_staff) is allowed(ops.delete)
    reachable = model_admin.has_view_or_change_permission(as_staff)
    assert set(model_admin.get_actions(as_staff) if reachable else ()) == set(ops.actions)
    assert all(allowed(decision) for decision in ops.actions.values())
    # The history: readable through the one shared admin, never restored.
    has_history = isinstance(model_admin, SimpleHistoryAdmin)
    assert has_history is (ops.revert != NO_HISTORY)
    assert not has_history or isinstance(model_admin, HistoryAdmin)
    if model._meta.app_label not in PROJECT_APPS:
        assert not (reachable or model_admin.has_module_permission(as_staff))
        return
    # Deleting: every project admin guards cascades; the table agrees with the rules kept.
    assert isinstance(model_admin, DeleteGuard) is ops.guarded
    rule = kept_rule(model)
    if ops.delete.startswith("kept"):
        assert rule is not None and rule.when is not None
    elif ops.delete.startswith("refused"):
        assert rule is not None and rule.when is None
    else:
        assert rule is None
    for inline in model_admin.inlines:  # nor is a kept row deleted as an inline
        assert kept_rule(inline.model) is None or not inline.can_delete


# -- a sample of the operations, posted to the real admin URLs -----------------------------

def _eoi(status="submitted"):
    from applications.models import ExpressionOfInterest
    from tests.factories import CallFactory, CityFactory

    submitted = status != "draft"
    return ExpressionOfInterest.objects.create(
        call=CallFactory(), city=CityFactory(), status=status,
        reference=f"VIE-2022-{ExpressionOfInterest.objects.count() + 1:04d}" if submitted
        else None, submitted_at=datetime(2022, 2, 1, 10, tzinfo=UTC) if submitted else None)


def _tandem():
    from tests.factories import tandem_factory

    return tandem_factory()


def _meeting():
    from tests.factories import meeting_factory

    return meeting_factory(_tandem())


def _late_entry(staff):
    from applications.models import LateEntry
    from tests.factories import CallFactory, CityFactory

    return LateEntry.objects.create(call=CallFactory(), city=CityFactory(), reason="Krank",
                                    expires_at=timezone.now() + timedelta(days=30),
                                    granted_by=staff)


HISTORY_SAMPLES = {
    "applications.ExpressionOfInterest": lambda staff: _eoi(),
    "applications.LateEntry": _late_entry,
    "tandems.Tandem": lambda staff: _tandem(),
    "tandems.Membership": lambda staff: _tandem().memberships.first(),
    "tandems.Meeting": lambda staff: _meeting(),
}


def url(obj, view, *args):
    opts = obj._meta
    return "/".join([f"/admin/{opts.app_label}/{opts.model_name}", quote(str(obj.pk)), view,
                     *map(str, args), ""])


def test_every_history_admin_has_a_sample_below():
    history = {model._meta.label for model, model_admin in registered()
               if isinstance(model_admin, SimpleHistoryAdmin)}
    assert history == set(HISTORY_SAMPLES)


@pytest.mark.parametrize("label", sorted(HISTORY_SAMPLES))
def test_a_revert_post_is_refused_for_every_history_admin(staff_client, label):
    obj = HISTORY_SAMPLES[label](staff_client.staff)
    before = model_to_dict(type(obj).objects.get(pk=obj.pk))
    versions = obj.history.count()
    first = obj.history.earliest()
    page = staff_client.get(url(obj, "history", first.history_id), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "<form" not in page.content.decode().split(
        'id="content-main"')[1]
    form = {key: value for key, value in before.items() if value is not None}
    response = staff_client.post(url(obj, "history", first.history_id),
                                 {**form, "status": "draft", "_save": "Revert"},
                                 HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert response.redirect_chain == [(url(obj, "history"), 302)]
    assert "kept to read, not to restore" in response.content.decode()
    assert model_to_dict(type(obj).objects.get(pk=obj.pk)) == before
    assert obj.history.count() == versions


def _event_with_a_registration():
    from events.models import Registration
    from tests.events.conftest import upcoming
    from tests.factories import member_contact

    tandem = _tandem()
    event = upcoming(tandem.programme)
    user = member_contact(tandem)
    Registration.objects.create(event=event, user=user, city=user.city_contacts.get().city)
    return event


def _criterion_with_a_score(staff):
    from applications.models import Criterion, Score

    eoi = _eoi()
    criterion = Criterion.objects.create(programme=eoi.call.programme, name_de="Passung",
                                         name_en="Fit")
    Score.objects.create(eoi=eoi, criterion=criterion, reviewer=staff, value=3)
    return criterion


def _sent_message():
    from notifications.models import Message

    return Message.objects.create(kind="reminder", key="reminder:1", to_email="a@example.org",
                                  language="de", subject="Erinnerung", body_text="…",
                                  state="sent")


def _published_case_study():
    from casestudies.enums import CaseStudyStatus
    from tests.casestudies.conftest import make_case_study

    return make_case_study(status=CaseStudyStatus.PUBLISHED)


def _category():
    from casestudies.models import Category
    from casestudies.services import categories_ensure

    categories_ensure()  # a transactional test before this one may have emptied the table
    return Category.objects.first()


KEPT_SAMPLES = {
    "submitted expression of interest": lambda staff: _eoi(),
    "accepted expression of interest": lambda staff: _eoi("accepted"),
    "tandem": lambda staff: _tandem(),
    "membership": lambda staff: _tandem().memberships.first(),
    "meeting": lambda staff: _meeting(),
    "event with a registration": lambda staff: _event_with_a_registration(),
    "criterion with a score (cascade)": _criterion_with_a_score,
    "sent message": lambda staff: _sent_message(),
    "published case study": lambda staff: _published_case_study(),
    "category": lambda staff: _category(),
}


@pytest.mark.parametrize("sample", sorted(KEPT_SAMPLES))
def test_deleting_a_row_kept_on_record_is_refused_with_a_message(staff_client, sample):
    obj = KEPT_SAMPLES[sample](staff_client.staff)
    model = type(obj)
    response = staff_client.post(url(obj, "delete"), {"post": "yes"}, follow=True,
                                 HTTP_ACCEPT_LANGUAGE="en")
    assert response.redirect_chain == [(url(obj, "change"), 302)]
    assert "on record" in response.content.decode()
    assert model.objects.filter(pk=obj.pk).exists()
    # The bulk action refuses it too (or is not offered for the model at all).
    changelist = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    bulk = staff_client.post(changelist, {"action": "delete_selected", "post": "yes",
                                          "_selected_action": [obj.pk]},
                             follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert bulk.status_code == 200
    if "delete_selected" in DECISIONS[model._meta.label].actions:
        assert "on record" in bulk.content.decode()
    assert model.objects.filter(pk=obj.pk).exists()


def test_a_bulk_delete_with_one_kept_entry_deletes_nothing(staff_client):
    from applications.models import ExpressionOfInterest

    draft, submitted = _eoi("draft"), _eoi()
    response = staff_client.post("/admin/applications/expressionofinterest/", {
        "action": "delete_selected", "post": "yes",
        "_selected_action": [draft.pk, submitted.pk]}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert f"{submitted.reference} stays on record" in response.content.decode()
    assert ExpressionOfInterest.objects.count() == 2


def test_deleting_a_draft_goes_through_the_service(staff_client, monkeypatch):
    import applications.admin
    from applications.models import ExpressionOfInterest
    from applications.services import eoi_delete_draft

    calls = []
    monkeypatch.setattr(applications.admin, "eoi_delete_draft",
                        lambda *, eoi: calls.append(eoi.pk) or eoi_delete_draft(eoi=eoi))
    one, two = _eoi("draft"), _eoi("draft")
    assert staff_client.post(url(one, "delete"), {"post": "yes"}).status_code == 302
    staff_client.post("/admin/applications/expressionofinterest/", {
        "action": "delete_selected", "post": "yes", "_selected_action": [two.pk]})
    assert calls == [one.pk, two.pk] and not ExpressionOfInterest.objects.exists()


def test_an_expression_of_interest_cannot_be_changed_in_the_admin(staff_client):
    eoi = _eoi()
    before = model_to_dict(eoi)
    form = {key: value for key, value in before.items() if value is not None}
    assert staff_client.post(url(eoi, "change"), {**form, "status": "accepted",
                                                  "motivation": "geändert"}).status_code == 403
    eoi.refresh_from_db()
    assert model_to_dict(eoi) == before


def test_adding_goes_through_the_services(staff_client, monkeypatch):
    import applications.admin
    import tandems.admin
    from applications.services import late_entry_grant
    from tandems.services import tandem_create
    from tests.factories import CallFactory, CityFactory, ProgrammeFactory

    calls = []
    monkeypatch.setattr(applications.admin, "late_entry_grant",
                        lambda **kw: calls.append("late_entry_grant") or late_entry_grant(**kw))
    monkeypatch.setattr(tandems.admin.services, "tandem_create",
                        lambda **kw: calls.append("tandem_create") or tandem_create(**kw))
    call, city = CallFactory(), CityFactory()
    assert staff_client.post("/admin/applications/lateentry/add/", {
        "call": call.pk, "city": city.pk, "reason": "Krank",
        "expires_at_0": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "expires_at_1": "00:00:00"}).status_code == 302
    assert staff_client.post("/admin/tandems/tandem/add/", {
        "programme": ProgrammeFactory().pk, "german_city": CityFactory().pk,
        "partner_city": CityFactory(country="NL", ags=None).pk, "formed_on": "2022-05-17",
        "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0,
        "topics-TOTAL_FORMS": 0, "topics-INITIAL_FORMS": 0}).status_code == 302
    assert calls == ["late_entry_grant", "tandem_create"]


@pytest.mark.parametrize("path", ["/admin/auth/group/", "/admin/account/emailaddress/",
                                  "/admin/mfa/authenticator/", "/admin/auth/group/add/"])
def test_staff_who_are_not_superusers_cannot_manage_djangos_and_allauths_models(staff_client,
                                                                                path):
    assert staff_client.get(path).status_code == 403


def test_user_admin_leaves_superusers_to_superusers(staff_client, as_staff):
    from tests.factories import UserFactory

    superuser = UserFactory(is_staff=True, is_superuser=True, email="chefin@example.org")
    user_admin = admin.site._registry[type(superuser)]
    staff_client.post(url(superuser, "delete"), {"post": "yes"})
    assert type(superuser).objects.filter(pk=superuser.pk).exists()
    assert not user_admin.has_change_permission(as_staff, superuser)
    assert not user_admin.has_delete_permission(as_staff, superuser)


def test_deleting_a_user_in_the_admin_goes_through_the_account_deletion(client, monkeypatch):
    from accounts import admin as accounts_admin
    from tests.factories import StaffFactory, UserFactory

    deleted = []
    monkeypatch.setattr(accounts_admin, "user_delete",
                        lambda *, user: deleted.append(user.email))
    client.force_login(StaffFactory(is_superuser=True))
    person = UserFactory(email="weg@example.org")
    response = client.post(url(person, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert deleted == ["weg@example.org"]


# -- every bulk action the table routes to a service calls it ------------------------------

def _service_actions():
    for label, ops in DECISIONS.items():
        for action, decision in ops.actions.items():
            if found := re.fullmatch(r"service: ([\w.]+)\.(\w+)", decision):
                yield label, action, *found.groups()


def _unverified_contact(staff):
    from programme.models import CityContact
    from tests.factories import CityFactory, UserFactory

    return CityContact.objects.create(user=UserFactory(), city=CityFactory())


def _open_join_request(staff):
    from programme.models import JoinRequest
    from tests.factories import CityFactory, UserFactory

    return JoinRequest.objects.create(user=UserFactory(), city=CityFactory())


def _case_study(staff):
    from tests.casestudies.conftest import make_case_study

    return make_case_study()


ACTION_SAMPLES = {
    "programme.CityContact": _unverified_contact,
    "programme.JoinRequest": _open_join_request,
    "applications.ExpressionOfInterest": lambda staff: _eoi(),
    "tandems.Tandem": lambda staff: _tandem(),
    "tandems.Membership": lambda staff: _tandem().memberships.first(),
    "tandems.Meeting": lambda staff: _meeting(),
    "casestudies.CaseStudy": _case_study,
    "notifications.Message": lambda staff: _sent_message(),
}


@pytest.mark.parametrize(("label", "action", "module", "function"),
                         list(_service_actions()), ids=lambda value: str(value))
def test_each_bulk_action_goes_through_the_service_the_table_names(
        staff_client, monkeypatch, label, action, module, function):
    obj = ACTION_SAMPLES[label](staff_client.staff)
    calls = []

    def spy(*args, **kwargs):
        calls.append(kwargs)

    # The service itself, and the name an admin module imported it under.
    monkeypatch.setattr(importlib.import_module(module), function, spy)
    model_admin = admin.site._registry[type(obj)]
    admin_module = sys.modules[type(model_admin).__module__]
    if hasattr(admin_module, function):
        monkeypatch.setattr(admin_module, function, spy)
    # The fields of the actions' confirmation pages: a reason, a last day.
    response = staff_client.post(f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/", {
        "action": action, "_selected_action": [obj.pk], "apply": "1", "reason": "Grund",
        "left_on": timezone.localdate().isoformat(), "post": "yes"})
    assert response.status_code < 500
    assert calls, f"{label} {action} did not call {module}.{function}"
