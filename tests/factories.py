from datetime import date, datetime
from zoneinfo import ZoneInfo

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from accounts.models import User
from applications.models import Call
from programme.models import City, CityContact, Milestone, Organisation, Programme

BERLIN = ZoneInfo("Europe/Berlin")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name", locale="de_DE")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class StaffFactory(UserFactory):
    """A staff member with an authenticator app: staff rights need the second factor.

    ``StaffFactory(second_factor=False)`` is a staff account that has not set one up yet.
    """

    is_staff = True

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        if create and extracted is not False:
            with_second_factor(self)


def with_second_factor(user):
    """Give ``user`` an authenticator app (e.g. the demo staff account); returns ``user``."""
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    slug = factory.Sequence(lambda n: f"programme-{n}")
    name_de = "#vernetztinEuropa"
    name_en = "#ConnectedinEurope"
    runs_from = date(2021, 1, 1)
    runs_until = date(2024, 12, 31)
    first_meeting_year = 2022
    last_meeting_year = 2024
    contact_name = "Projektteam"
    contact_email = "team@example.org"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    programme = factory.SubFactory(ProgrammeFactory)
    role = "partner"
    name_de = factory.Sequence(lambda n: f"Partner {n}")
    name_en = factory.Sequence(lambda n: f"Partner {n}")


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    programme = factory.SubFactory(ProgrammeFactory)
    starts_on = date(2023, 10, 23)
    label_de = factory.Sequence(lambda n: f"Ereignis {n}")
    label_en = factory.Sequence(lambda n: f"Event {n}")


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    programme = factory.SubFactory(ProgrammeFactory)
    opens_at = datetime(2021, 12, 1, tzinfo=BERLIN)
    closes_at = datetime(2022, 2, 25, 23, 59, 59, tzinfo=BERLIN)


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City

    name = factory.Sequence(lambda n: f"Stadt {n}")
    country = "DE"
    ags = factory.Sequence(lambda n: f"05{n:06d}")


class CityContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CityContact

    user = factory.SubFactory(UserFactory)
    city = factory.SubFactory(CityFactory)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programme.Topic"
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name_de = factory.Sequence(lambda n: f"Thema {n}")
    name_en = factory.Sequence(lambda n: f"Topic {n}")


def tandem_factory(*, programme=None, german=None, partner=None, formed_on=date(2022, 5, 17)):
    """A tandem made through the service, so it keeps the rules (one German, one partner)."""
    from tandems.services import tandem_create

    return tandem_create(
        programme=programme or ProgrammeFactory(),
        german_city=german or CityFactory(),
        partner_city=partner or CityFactory(country="NL", ags=None, time_zone="Europe/Amsterdam"),
        topics={}, formed_on=formed_on)


def member_contact(tandem, *, german=True, verified=True, **user_fields):
    """A user who speaks for one of ``tandem``'s current cities (the German one by default)."""
    from django.utils import timezone

    city = next(m.city for m in tandem.memberships.filter(left_on=None).select_related("city")
                if m.city.is_german == german)
    user = UserFactory(**user_fields)
    CityContactFactory(user=user, city=city, verified_at=timezone.now() if verified else None)
    return user


def meeting_factory(tandem, *, starts_at=datetime(2023, 5, 10, 10, tzinfo=BERLIN), hours=3,
                    **fields):
    """A meeting planned through the service, so it takes one of the tandem's places."""
    from datetime import timedelta

    from tandems.services import meeting_create

    fields.setdefault("title", "Arbeitstreffen")
    fields.setdefault("host", tandem.current_memberships()[0].city)
    return meeting_create(tandem=tandem, starts_at=starts_at,
                          ends_at=starts_at + timedelta(hours=hours), **fields)
