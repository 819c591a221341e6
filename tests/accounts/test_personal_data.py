"""The personal-data download and account deletion: one declaration of every relation to
the person (accounts/personal_data.py), walked through the app registry, exported and
honoured on deletion."""

import json
from datetime import datetime, timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation

from accounts.personal_data import CLEAR, DELETE, LEFT_OUT, REFUSE, SECTIONS, relations
from accounts.services import user_data_export, user_delete
from applications.models import Criterion, ExpressionOfInterest, LateEntry, Score, TopicInterest
from casestudies.enums import CaseStudyStatus, ReviewAction
from casestudies.models import ReviewStep
from casestudies.services import casestudy_create
from events.enums import RegistrationStatus
from events.models import Event, Registration
from notifications.models import Message, ReminderOptOut
from programme.models import CityContact, JoinRequest, PartnerInvitation
from tandems.models import CalendarFeed, MeetingDocument, Minutes, TandemTopic
from tests.factories import (
    CallFactory,
    CityFactory,
    ProgrammeFactory,
    TopicFactory,
    UserFactory,
    meeting_factory,
    tandem_factory,
)

pytestmark = pytest.mark.django_db

User = get_user_model()
TOTP_SECRET = "JBSWY3DPEHPK3PXPTOTPSECRET"
MAIL_LINK = "https://example.org/en/partner/invitation/mail-link-token/"


# -- the completeness walk ----------------------------------------------------------------

def fields_pointing_to_the_user() -> set[str]:
    """Every field of every installed model that points to the user model: foreign keys,
    one-to-ones and many-to-manys, the simple-history tables' ``history_user`` and their
    copies of ``created_by`` and the like included."""
    return {f"{model._meta.label}.{field.name}"
            for model in apps.get_models() for field in model._meta.get_fields()
            if field.concrete and field.is_relation and field.related_model is User}


def declared() -> list[str]:
    return [relation.field for relation in relations()]


def test_every_relation_to_the_user_is_declared_in_a_section_or_left_out():
    forgotten = fields_pointing_to_the_user() - set(declared())
    assert not forgotten, (
        f"{sorted(forgotten)} point to the user but no personal-data section covers them: "
        "add them to the app's personal_data.py (what the download shows, and DELETE, CLEAR "
        "or REFUSE for account deletion), or leave_out() them with a reason.")


def test_every_declared_relation_points_to_the_user_once():
    assert len(declared()) == len(set(declared()))
    assert set(declared()) <= fields_pointing_to_the_user()


def test_every_field_of_the_user_model_is_in_the_download_or_left_out_with_a_reason():
    fields = {f"{User._meta.label}.{f.name}" for f in User._meta.get_fields() if f.concrete}
    covered = {f"{User._meta.label}.{name}" for section in SECTIONS.values()
               for name in section.user_fields}
    assert fields - covered - set(LEFT_OUT) == set()
    assert all(LEFT_OUT[name].reason for name in fields - covered)


def test_declarations_fit_what_deletion_does_with_them():
    for relation in relations():
        field = relation.model._meta.get_field(relation.name)
        if relation.on_delete is CLEAR:
            assert field.null and not field.many_to_many, relation.field
        if relation.on_delete is REFUSE:
            assert str(relation.what), relation.field


# -- one row of every kind ----------------------------------------------------------------

class World:
    """One row of every model that points to the user, all of them someone else's first."""

    def __init__(self):
        now = timezone.now()
        self.other = UserFactory()
        self.staff = UserFactory(is_staff=True)
        programme = ProgrammeFactory()
        german, partner = CityFactory(), CityFactory(country="NL", ags=None)
        topic = TopicFactory()
        call = CallFactory(programme=programme)
        eoi = ExpressionOfInterest.objects.create(
            call=call, city=german, created_by=self.other, contact_name="Eva Other",
            contact_email=self.other.email, motivation="Wir wollen lernen.")
        tandem = tandem_factory(programme=programme, german=german, partner=partner)
        meeting = meeting_factory(tandem, created_by=self.other)
        case_study = casestudy_create(tandem=tandem, title="Fallstudie", by=self.other,
                                      researchers=[self.other])
        self.feed = CalendarFeed.objects.create(user=self.other)
        self.invitation = PartnerInvitation.objects.create(
            city=partner, email="invited@example.nl", token="invitation-secret-token",
            invited_by=self.staff, accepted_by=self.other, accepted_at=now)
        event = Event.objects.create(
            programme=programme, title="Netzwerktreffen Berlin", starts_at=now + timedelta(30),
            ends_at=now + timedelta(days=30, hours=8), place="Berlin",
            registration_closes_at=now + timedelta(20))
        rows = [
            eoi,
            TopicInterest.objects.create(eoi=eoi, topic=topic, role="follower"),
            LateEntry.objects.create(call=call, city=german, reason="Krankheit",
                                     expires_at=now + timedelta(7), granted_by=self.staff),
            Score.objects.create(eoi=eoi, reviewer=self.staff, value=4, note="gut",
                                 criterion=Criterion.objects.create(
                                     programme=programme, name_de="Passung", name_en="Fit")),
            CityContact.objects.create(user=self.other, city=german, verified_by=self.staff,
                                       verified_at=now),
            JoinRequest.objects.create(user=self.other, city=partner, approved=True,
                                       decided_by=self.staff, decided_at=now),
            self.invitation,
            EmailAddress.objects.create(user=self.other, email="spare@example.org"),
            Authenticator.objects.create(user=self.other, type=Authenticator.Type.TOTP,
                                         data={"secret": TOTP_SECRET}),
            LogEntry.objects.create(user=self.staff, action_flag=CHANGE, object_id=german.pk,
                                    content_type=ContentType.objects.get_for_model(german),
                                    object_repr=german.name, change_message="[]"),
            Message.objects.create(kind="partner_invitation", key="partner_invitation:1",
                                   recipient=self.other, to_email=self.other.email,
                                   language="en", subject="Invitation",
                                   body_text=f"Accept: {MAIL_LINK}"),
            ReminderOptOut.objects.create(user=self.other, kind="draft_closing_soon"),
            tandem, tandem.memberships.first(),
            TandemTopic.objects.create(tandem=tandem, topic=topic, lighthouse=german),
            meeting,
            Minutes.objects.create(meeting=meeting, text="Protokoll", updated_by=self.other),
            MeetingDocument.objects.create(meeting=meeting, file="meetings/x.pdf",
                                           name="Agenda.pdf", content_type="application/pdf",
                                           size=1234, uploaded_by=self.other),
            self.feed,
            Registration.objects.create(event=event, user=self.other, city=german),
            case_study,
            ReviewStep.objects.create(case_study=case_study, action=ReviewAction.SUBMIT,
                                      from_status=CaseStudyStatus.DRAFT,
                                      to_status=CaseStudyStatus.IN_REVIEW, version=1,
                                      by=self.other, created_at=now),
        ]
        self.rows = {row._meta.label: row for row in rows}

    def row(self, model):
        """The world's row of ``model``; for a history table, the last version of it."""
        if model._meta.label in self.rows:
            return self.rows[model._meta.label]
        live = self.rows[model.instance_type._meta.label]
        return model._default_manager.filter(id=live.pk).latest("history_date")

    def point_at(self, person, relations):
        """Make every given relation of the world's rows point to ``person``."""
        pointed = {}
        for relation in relations:
            row = self.row(relation.model)
            if relation.model._meta.get_field(relation.name).many_to_many:
                getattr(row, relation.name).add(person)
            else:
                relation.model._default_manager.filter(pk=row.pk).update(
                    **{relation.name: person})
            pointed[relation.field] = row
        return pointed


def counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.fixture
def world():
    return World()


@pytest.fixture
def person():
    return UserFactory(email="clara@krefeld.de", name="Clara Clerk")


def test_the_world_has_a_row_of_every_model_that_points_to_the_user(world):
    for relation in relations():
        assert world.row(relation.model) is not None, relation.field


def test_user_data_export_holds_every_kind_of_row_and_no_secret(world, person):
    world.point_at(person, relations())
    with translation.override("de"):
        data = user_data_export(user=person)
    dumped = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)

    empty = [key for key in SECTIONS if data[key] in ([], {}, None)]
    assert empty == []
    assert data["expressions_of_interest"][0]["motivation"] == "Wir wollen lernen."
    assert data["contents"]["event_registrations"] == "Ihre Anmeldungen zu Netzwerkveranstaltungen"
    for secret in (world.feed.token, world.invitation.token, TOTP_SECRET, MAIL_LINK,
                   person.password):
        assert secret not in dumped


def test_user_data_export_values_are_readable(world, person):
    world.point_at(person, relations())
    with translation.override("de"):
        data = user_data_export(user=person)
    entry = data["expressions_of_interest"][0]
    assert entry["status"] == {"value": "draft", "label": "Entwurf"}
    assert entry["topics"][0]["role"]["label"] == "wir möchten lernen (Nachfolgerin)"
    registration = data["event_registrations"][0]
    assert registration["status"] == {"value": "confirmed", "label": "angemeldet"}
    # German time with its offset, not UTC.
    assert datetime.fromisoformat(registration["registered_at"]).utcoffset() in (
        timedelta(hours=1), timedelta(hours=2))
    assert data["account"]["language"] == {"value": "de", "label": "Deutsch"}


def test_user_data_export_holds_own_expressions_of_interest_not_the_citys(person):
    call = CallFactory()
    krefeld, bielefeld, hamm = CityFactory(name="Krefeld"), CityFactory(), CityFactory()
    # An unverified contact of Krefeld: Krefeld's entry by a colleague is not theirs.
    CityContact.objects.create(user=person, city=krefeld)
    ExpressionOfInterest.objects.create(call=call, city=krefeld, created_by=UserFactory(),
                                        contact_name="Kollegin", contact_email="k@krefeld.de",
                                        contact_phone="02151 123", motivation="Nur für Krefeld")
    started = ExpressionOfInterest.objects.create(call=call, city=bielefeld,
                                                  created_by=person)
    EmailAddress.objects.create(user=person, email="clara@privat.example")
    named = ExpressionOfInterest.objects.create(call=call, city=hamm,
                                                contact_email="Clara@Privat.example")

    data = user_data_export(user=person)

    entries = data["expressions_of_interest"]
    assert {e["municipality"] for e in entries} == {started.city.name, named.city.name}
    assert [e["you_started_it"] for e in entries] == [True, False]
    dumped = json.dumps(data, cls=DjangoJSONEncoder)
    for colleagues in ("Kollegin", "k@krefeld.de", "02151 123", "Nur für Krefeld"):
        assert colleagues not in dumped


def test_user_data_export_keeps_the_last_version_of_a_deleted_draft(person):
    eoi = ExpressionOfInterest.objects.create(call=CallFactory(), city=CityFactory(),
                                              created_by=person, motivation="Entwurf")
    eoi.delete()
    [deleted] = user_data_export(user=person)["expressions_of_interest"]
    assert deleted["motivation"] == "Entwurf"
    assert deleted["deleted_at"] is not None


def test_data_export_view_downloads_the_export_as_json(client, person):
    client.force_login(person)
    response = client.get("/de/accounts/data/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == "clara@krefeld.de"
    assert set(SECTIONS) <= set(data)


# -- deletion -----------------------------------------------------------------------------

def test_user_delete_does_with_every_relation_what_it_declares(world, person):
    kept = [r for r in relations() if r.on_delete is not REFUSE]
    pointed = world.point_at(person, kept)
    before = counts()

    user_delete(user=person)

    assert not User.objects.filter(pk=person.pk).exists()
    deleting = [r for r in kept if r.on_delete is DELETE
                and not r.model._meta.get_field(r.name).many_to_many]
    # A row that is the person's own by one relation goes, whatever its other relations say.
    gone = {(r.model._meta.label, pointed[r.field].pk) for r in deleting}
    for relation in kept:
        row, model = pointed[relation.field], relation.model
        field = model._meta.get_field(relation.name)
        exists = model._default_manager.filter(pk=row.pk).exists()
        if (model._meta.label, row.pk) in gone:
            assert not exists, relation.field
        elif field.many_to_many:
            assert exists, relation.field
            assert not getattr(model._default_manager.get(pk=row.pk), relation.name).filter(
                pk=person.pk).exists()
        else:
            assert exists, relation.field
            kept_row = model._default_manager.get(pk=row.pk)
            assert getattr(kept_row, field.attname) is None, relation.field
    # Nothing else went: only the user and the rows that were theirs alone.
    theirs = {r.model._meta.label for r in deleting}
    after = counts()
    changed = {label for label in before if before[label] != after[label]}
    assert changed <= theirs | {User._meta.label}
    assert before[User._meta.label] - after[User._meta.label] == 1


@pytest.mark.parametrize("field", [r.field for r in relations() if r.on_delete is REFUSE])
def test_user_delete_is_refused_while_a_record_of_the_programme_names_the_person(
        world, person, field):
    relation = next(r for r in relations() if r.field == field)
    world.point_at(person, [relation])
    before = counts()

    with pytest.raises(ValidationError) as refused, translation.override("en"):
        user_delete(user=person)

    assert refused.value.code == "programme_records"
    with translation.override("en"):
        assert f"{relation.what} (1)" in refused.value.messages[0]
    assert "project team" in refused.value.messages[0]
    assert counts() == before


def test_user_delete_gives_a_coming_event_place_to_the_waiting_list(person):
    now = timezone.now()
    city = CityFactory()
    event = Event.objects.create(programme=ProgrammeFactory(), title="Abschluss", capacity=1,
                                 starts_at=now + timedelta(10), ends_at=now + timedelta(11),
                                 place="online", registration_closes_at=now + timedelta(5))
    Registration.objects.create(event=event, user=person, city=city)
    waiting = Registration.objects.create(event=event, user=UserFactory(), city=city,
                                          status=RegistrationStatus.WAITING, waiting_since=now)

    user_delete(user=person)

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert Message.objects.filter(kind="event_promoted", recipient=waiting.user).exists()


def test_user_delete_removes_mails_sent_to_the_persons_address_before_the_account(person):
    Message.objects.create(kind="partner_invitation", key="k1", to_email="CLARA@krefeld.de",
                           language="en", subject="Invitation", body_text="…")
    Message.objects.create(kind="partner_invitation", key="k2", to_email="eva@example.org",
                           language="en", subject="Invitation", body_text="…")
    user_delete(user=person)
    assert list(Message.objects.values_list("key", flat=True)) == ["k2"]


def test_delete_account_page_says_when_the_project_team_must_close_the_account(client):
    staff = UserFactory(is_staff=True)
    eoi = ExpressionOfInterest.objects.create(call=CallFactory(), city=CityFactory())
    Score.objects.create(eoi=eoi, reviewer=staff, value=3, criterion=Criterion.objects.create(
        programme=eoi.call.programme, name_de="Passung", name_en="Fit"))
    client.force_login(staff)

    page = client.get("/en/accounts/delete/")
    assert "project team" in page.content.decode()
    assert 'name="password"' not in page.content.decode()

    response = client.post("/en/accounts/delete/", {"password": "correct horse battery"})
    assert response.status_code == 409
    assert "scores of expressions of interest (1)" in response.content.decode()
    assert User.objects.filter(pk=staff.pk).exists()

