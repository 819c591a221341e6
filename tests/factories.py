from datetime import date, datetime
from zoneinfo import ZoneInfo

import factory
from allauth.account.models import EmailAddress

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
