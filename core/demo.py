"""The demo data: the real #vernetztinEuropa programme as history, plus demo accounts.

Only ``manage.py seed_demo`` calls this. It writes history directly (a closed
call, past dates), which no user-facing path may. Every step is get-or-create,
so a second run changes nothing. Populations and coordinates are rounded
public figures; the contact address is a placeholder.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.text import slugify

from accounts.enums import RESEARCHERS_GROUP, Language
from accounts.models import User
from applications.models import Call, Criterion, ExpressionOfInterest, TopicInterest
from casestudies.enums import ItemKind, Level
from casestudies.services import Item, casestudy_create, casestudy_save, categories_ensure
from events.enums import EventKind, RegistrationStatus
from events.models import Event, Registration
from events.services import event_create
from programme.enums import DatePrecision, OrganisationRole
from programme.models import (
    City,
    CityContact,
    CityTopic,
    Milestone,
    Organisation,
    Programme,
    Topic,
)
from tandems.enums import MeetingFormat, MeetingStatus, TandemState
from tandems.models import Meeting, Tandem
from tandems.services import (
    meeting_create,
    meeting_set_status,
    membership_add,
    membership_end,
    tandem_create,
    tandem_set_topics,
)

BERLIN = ZoneInfo("Europe/Berlin")
DEFAULT_PASSWORD = "vernetzt-demo-2022"
PRACTICE_CALL_DAYS = 28


def berlin(year, month, day, hour=0, minute=0, second=0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=BERLIN)


ORGANISATIONS = [
    (OrganisationRole.FUNDER, "Bundesministerium für Wohnen, Stadtentwicklung und Bauwesen (BMWSB)",
     "Federal Ministry for Housing, Urban Development and Building (BMWSB)"),
    (OrganisationRole.CLIENT, "Bundesinstitut für Bau-, Stadt- und Raumforschung (BBSR)",
     "Federal Institute for Research on Building, Urban Affairs and Spatial Development (BBSR)"),
    (OrganisationRole.LEAD, "adelphi research gGmbH", "adelphi research gGmbH"),
    (OrganisationRole.PARTNER, "Deutsches Institut für Urbanistik (Difu)",
     "German Institute of Urban Affairs (Difu)"),
    (OrganisationRole.PARTNER, "Steinbeis Europa Zentrum", "Steinbeis Europa Zentrum"),
]

MILESTONES = [
    (date(2022, 5, 17), None, DatePrecision.DAY, "Virtueller Auftakt des Netzwerks",
     "Virtual network kick-off"),
    (date(2022, 1, 1), date(2024, 12, 31), DatePrecision.MONTH,
     "Tandemtreffen, bis zu zweimal im Jahr", "Tandem meetings, up to twice a year"),
    (date(2023, 10, 23), date(2023, 10, 24), DatePrecision.DAY, "Netzwerktreffen in Berlin",
     "Network meeting in Berlin"),
    (date(2024, 9, 16), None, DatePrecision.DAY, "Netzwerkkonferenz in Paris",
     "Network conference in Paris"),
    (date(2024, 12, 1), None, DatePrecision.MONTH, "Online-Abschlussworkshop",
     "Online closing workshop"),
]

TOPICS = [
    ("smart-participation", "Digitale Beteiligung", "Smart participation"),
    ("digital-administration", "Digitale Verwaltung", "Digital administration"),
    ("mobility", "Mobilität", "Mobility"),
    ("air-quality-sensors", "Luftqualitätssensoren", "Air-quality sensors"),
    ("open-data", "Offene Daten", "Open data"),
    ("energy-monitoring", "Energiemonitoring", "Energy monitoring"),
    ("circular-economy", "Kreislaufwirtschaft", "Circular economy"),
    ("urban-digital-twins", "Urbane digitale Zwillinge", "Urban digital twins"),
    ("interoperability", "Interoperabilität", "Interoperability"),
    ("smart-city-strategy", "Smart-City-Strategie", "Smart-city strategy"),
    ("street-lighting", "Straßenbeleuchtung", "Street lighting"),
    ("sensors", "Sensorik", "Sensors"),
    ("eu-funding", "EU-Fördermittel", "EU funding"),
]

# name, country, AGS, population, latitude, longitude, languages, time zone
CITIES = [
    ("Krefeld", "DE", "05114000", 227_000, "51.33880", "6.58530", "de", "Europe/Berlin"),
    ("Hamm", "DE", "05915000", 180_000, "51.67390", "7.81500", "de", "Europe/Berlin"),
    ("Geestland", "DE", "03352011", 31_000, "53.63220", "8.63390", "de", "Europe/Berlin"),
    ("München", "DE", "09162000", 1_510_000, "48.13720", "11.57550", "de,en", "Europe/Berlin"),
    ("Arnsberg", "DE", "05958004", 73_000, "51.39670", "8.06440", "de", "Europe/Berlin"),
    ("Pirna", "DE", "14628270", 39_000, "50.96240", "13.94040", "de", "Europe/Berlin"),
    ("Sofia", "BG", None, 1_250_000, "42.69770", "23.32190", "bg,en", "Europe/Sofia"),
    ("Venlo", "NL", None, 102_000, "51.37040", "6.17240", "nl,en,de", "Europe/Amsterdam"),
    ("Arezzo", "IT", None, 97_000, "43.46330", "11.87970", "it,en", "Europe/Rome"),
    ("Vari-Voula-Vouliagmeni", "GR", None, 49_000, "37.84000", "23.80000", "el,en",
     "Europe/Athens"),
    ("Utrecht", "NL", None, 360_000, "52.09070", "5.12140", "nl,en", "Europe/Amsterdam"),
    ("Alba Iulia", "RO", None, 64_000, "46.06670", "23.58330", "ro,en", "Europe/Bucharest"),
    ("Bolesławiec", "PL", None, 38_000, "51.26360", "15.56970", "pl,en,de", "Europe/Warsaw"),
]


# The other municipalities that expressed interest in 2022: AGS, name, population, status.
# Invented as demo data (the real applicants are not public); names and keys are real.
OTHER_APPLICANTS = [
    ("01002000", "Kiel", 247_000, "accepted"), ("01003000", "Lübeck", 217_000, "waitlisted"),
    ("02000000", "Hamburg", 1_850_000, "declined"), ("03101000", "Braunschweig", 249_000,
                                                     "waitlisted"),
    ("03241001", "Hannover", 536_000, "declined"), ("03403000", "Oldenburg", 170_000, "accepted"),
    ("03404000", "Osnabrück", 165_000, "declined"), ("04012000", "Bremerhaven", 114_000,
                                                     "waitlisted"),
    ("05314000", "Bonn", 331_000, "declined"), ("05334002", "Aachen", 249_000, "waitlisted"),
    ("05515000", "Münster", 316_000, "declined"), ("05711000", "Bielefeld", 334_000,
                                                   "withdrawn"),
    ("05913000", "Dortmund", 588_000, "declined"), ("06411000", "Darmstadt", 159_000,
                                                   "declined"),
    ("06611000", "Kassel", 201_000, "waitlisted"), ("07211000", "Trier", 111_000, "declined"),
    ("07315000", "Mainz", 217_000, "accepted"), ("08212000", "Karlsruhe", 306_000, "declined"),
    ("08311000", "Freiburg im Breisgau", 231_000, "declined"), ("08421000", "Ulm", 126_000,
                                                               "waitlisted"),
    ("09362000", "Regensburg", 153_000, "declined"), ("09564000", "Nürnberg", 518_000,
                                                     "withdrawn"),
    ("09663000", "Würzburg", 127_000, "declined"), ("10041100", "Saarbrücken", 180_000,
                                                   "waitlisted"),
    ("11000000", "Berlin", 3_670_000, "declined"), ("12052000", "Cottbus", 98_000, "accepted"),
    ("12054000", "Potsdam", 183_000, "declined"), ("13003000", "Rostock", 209_000,
                                                  "waitlisted"),
    ("13004000", "Schwerin", 96_000, "declined"), ("14511000", "Chemnitz", 243_000, "declined"),
    ("14713000", "Leipzig", 601_000, "withdrawn"), ("15003000", "Magdeburg", 237_000,
                                                   "declined"),
    ("16053000", "Jena", 110_000, "declined"), ("16055000", "Weimar", 65_000, "declined"),
]

# The six tandem cities' topics and whether they offered to share or wanted to learn.
TANDEM_CITY_TOPICS = {
    "Krefeld": [("smart-participation", "follower")],
    "Hamm": [("digital-administration", "follower"), ("mobility", "follower"),
             ("air-quality-sensors", "lighthouse"), ("open-data", "lighthouse")],
    "Geestland": [("energy-monitoring", "lighthouse"), ("smart-participation", "follower"),
                  ("mobility", "follower"), ("circular-economy", "follower")],
    "München": [("urban-digital-twins", "lighthouse"), ("interoperability", "lighthouse")],
    "Arnsberg": [("smart-city-strategy", "follower"), ("street-lighting", "lighthouse"),
                 ("sensors", "follower"), ("open-data", "follower"), ("eu-funding", "follower")],
    "Pirna": [("digital-administration", "follower"), ("smart-city-strategy", "follower")],
}


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    name: str
    language: str
    city: str | None = None


ACCOUNTS = [
    DemoAccount("staff", "staff@example.org", "Sabine Stab", Language.GERMAN),
    DemoAccount("researcher", "researcher@example.org", "Rafael Forsch", Language.GERMAN),
    DemoAccount("municipal contact (Krefeld)", "krefeld@example.org", "Katrin Kommune",
                Language.GERMAN, city="Krefeld"),
    DemoAccount("partner-city contact (Utrecht)", "utrecht@example.org", "Pieter Partner",
                Language.ENGLISH, city="Utrecht"),
]


def seed_programme(*, now: datetime) -> Programme:
    programme, _ = Programme.objects.get_or_create(
        slug="vernetztineuropa",
        defaults={
            "name_de": "#vernetztinEuropa",
            "name_en": "#ConnectedinEurope",
            "runs_from": date(2021, 1, 1),
            "runs_until": date(2024, 12, 31),
            "first_meeting_year": 2022,
            "last_meeting_year": 2024,
            "max_tandems": 6,
            "max_meetings_per_year": 2,
            "contact_name": "Projektteam #vernetztinEuropa, adelphi research gGmbH",
            "contact_email": "team@vernetztineuropa.example",
        },
    )
    for order, (role, name_de, name_en) in enumerate(ORGANISATIONS):
        Organisation.objects.get_or_create(
            programme=programme, name_de=name_de,
            defaults={"role": role, "name_en": name_en, "order": order},
        )
    for starts_on, ends_on, precision, label_de, label_en in MILESTONES:
        Milestone.objects.get_or_create(
            programme=programme, label_de=label_de,
            defaults={"starts_on": starts_on, "ends_on": ends_on, "precision": precision,
                      "label_en": label_en},
        )
    Call.objects.get_or_create(
        programme=programme, is_practice=False, closes_at=berlin(2022, 2, 25, 23, 59, 59),
        defaults={"opens_at": berlin(2021, 12, 1)},
    )
    # A clearly marked practice call so newcomers can try the form today.
    if not Call.objects.practice().open_at(now).filter(programme=programme).exists():
        today = timezone.localtime(now, BERLIN).date()
        Call.objects.create(
            programme=programme, is_practice=True,
            opens_at=datetime.combine(today, time.min, tzinfo=BERLIN),
            closes_at=datetime.combine(today + timedelta(days=PRACTICE_CALL_DAYS),
                                       time(23, 59, 59), tzinfo=BERLIN),
        )
    return programme


def seed_topics() -> None:
    for slug, name_de, name_en in TOPICS:
        Topic.objects.get_or_create(slug=slug, defaults={"name_de": name_de, "name_en": name_en})


WEBSITES = {"Krefeld": "https://www.krefeld.de", "Hamm": "https://www.hamm.de",
            "Geestland": "https://www.geestland.eu", "München": "https://www.muenchen.de",
            "Arnsberg": "https://www.arnsberg.de", "Pirna": "https://www.pirna.de"}


# What the partner cities offered in their profiles (all as lighthouses in the demo).
PARTNER_TOPICS = {
    "Sofia": ["smart-participation"], "Venlo": ["smart-participation"],
    "Arezzo": ["digital-administration", "mobility"],
    "Vari-Voula-Vouliagmeni": ["smart-participation", "mobility", "circular-economy"],
    "Utrecht": ["interoperability"],
    "Alba Iulia": ["smart-city-strategy", "sensors", "open-data", "eu-funding"],
    "Bolesławiec": ["digital-administration", "smart-city-strategy"],
}


def seed_cities() -> None:
    for name, country, ags, population, lat, lon, languages, zone in CITIES:
        City.objects.get_or_create(
            name=name, country=country,
            defaults={"ags": ags, "population": population, "latitude": lat, "longitude": lon,
                      "languages": languages, "time_zone": zone,
                      "website": WEBSITES.get(name, "")},
        )
    for name, slugs in PARTNER_TOPICS.items():
        city = City.objects.get(name=name)
        for slug in slugs:
            CityTopic.objects.get_or_create(city=city, topic=Topic.objects.get(slug=slug),
                                            defaults={"role": CityTopic.Role.LIGHTHOUSE})


def seed_accounts(*, password: str | None, now: datetime) -> list[DemoAccount]:
    """Create one account per role; reset their password only when one is given."""
    researchers, _ = Group.objects.get_or_create(name=RESEARCHERS_GROUP)
    staff_member = None
    for account in ACCOUNTS:
        user, created = User.objects.get_or_create(
            email=account.email,
            defaults={"name": account.name, "language": account.language,
                      "is_staff": account.role == "staff"},
        )
        if created or password:
            user.set_password(password or DEFAULT_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=account.email, defaults={"verified": True, "primary": True}
        )
        if account.role == "staff":
            staff_member = user
        if account.role == "researcher":
            user.groups.add(researchers)
        if account.city:
            CityContact.objects.get_or_create(
                user=user, city=City.objects.get(name=account.city),
                defaults={"verified_by": staff_member, "verified_at": now},
            )
    return ACCOUNTS


CRITERIA = [("Erfahrung, die geteilt werden kann", "Experience to share"),
            ("Motivation", "Motivation"), ("Passung der Themen", "Topic fit"),
            ("Kapazität zur Teilnahme", "Capacity to take part")]


def seed_expressions(*, programme: Programme) -> None:
    """The 2022 call's expressions of interest, as history: decided long ago."""
    for order, (name_de, name_en) in enumerate(CRITERIA):
        Criterion.objects.get_or_create(programme=programme, name_de=name_de,
                                        defaults={"name_en": name_en, "order": order})
    call = Call.objects.real().get(programme=programme)
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    slugs = sorted(topics)
    applicants = [(City.objects.get(name=name), "accepted", roles)
                  for name, roles in TANDEM_CITY_TOPICS.items()]
    for n, (ags, name, population, status) in enumerate(OTHER_APPLICANTS):
        city, _ = City.objects.get_or_create(
            ags=ags, defaults={"name": name, "country": "DE", "population": population})
        roles = [(slugs[(n + k) % len(slugs)], ("lighthouse", "follower")[(n + k) % 2])
                 for k in range(1 + n % 3)]
        applicants.append((city, status, roles))
    for number, (city, status, roles) in enumerate(applicants, start=1):
        submitted = berlin(2022, 1, 10, 9) + timedelta(days=number, hours=number % 7)
        eoi, created = ExpressionOfInterest.objects.get_or_create(
            call=call, city=city,
            defaults={
                "status": status, "reference": f"VIE-2022-{number:04d}",
                "population": city.population, "submitted_at": submitted,
                "consent_at": submitted, "contact_name": f"Demo-Kontakt {city.name}",
                "contact_function": "Digitalisierung",
                "contact_email": f"kontakt@{slugify(city.name)}.example",
                "motivation": f"[Demodaten] {city.name} möchte im Tandem voneinander lernen.",
                "meeting_years": [2022, 2023, 2024],
            },
        )
        if created:
            TopicInterest.objects.bulk_create(
                TopicInterest(eoi=eoi, topic=topics[slug], role=role) for slug, role in roles)


# German city, partner city, and each topic's lighthouse (G = German city, P = partner).
TANDEMS = [
    ("Krefeld", "Sofia", [("smart-participation", "P")]),
    ("Hamm", "Arezzo", [("digital-administration", "P"), ("mobility", "P"),
                        ("air-quality-sensors", "G"), ("open-data", "G")]),
    ("Geestland", "Vari-Voula-Vouliagmeni", [("energy-monitoring", "G"),
                                             ("smart-participation", "P"), ("mobility", "P"),
                                             ("circular-economy", "P")]),
    ("München", "Utrecht", [("urban-digital-twins", "G"), ("interoperability", "P")]),
    ("Arnsberg", "Alba Iulia", [("smart-city-strategy", "P"), ("street-lighting", "G"),
                                ("sensors", "P"), ("open-data", "P"), ("eu-funding", "P")]),
    ("Pirna", "Bolesławiec", [("digital-administration", "P"), ("smart-city-strategy", "P")]),
]


def seed_tandems(*, programme: Programme, now: datetime) -> None:
    """The six tandems from the kick-off on; Sofia withdrew at the end of 2023, Venlo joined."""
    if Tandem.objects.filter(programme=programme).exists():
        return
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    for german_name, partner_name, roles in TANDEMS:
        german, partner = City.objects.get(name=german_name), City.objects.get(name=partner_name)
        tandem = tandem_create(
            programme=programme, german_city=german, partner_city=partner,
            topics={topics[slug]: german if lead == "G" else partner for slug, lead in roles},
            formed_on=date(2022, 5, 17), state=TandemState.ACTIVE, now=now)
        if partner_name == "Sofia":
            # Sofia's last day is 31 December 2023; Venlo is a member from the next day. Her
            # topic waits as "lighthouse to be agreed" until Venlo takes it on.
            membership_end(membership=tandem.memberships.get(city=partner),
                           left_on=date(2023, 12, 31), now=now)
            venlo = City.objects.get(name="Venlo")
            membership_add(tandem=tandem, city=venlo, joined_on=date(2024, 1, 1), now=now)
            tandem_set_topics(tandem=tandem, topics={topics["smart-participation"]: venlo})


# Each tandem's meetings: (year, month, day, German or partner city hosts, format, title).
# Two a year in 2022 and 2023 and one in 2024, so every tandem keeps one free place in 2024.
MEETING_PLAN = [
    (2022, 6, 22, "G", MeetingFormat.ONLINE, "Kennenlernen online / Getting to know each other"),
    (2022, 10, 12, "P", MeetingFormat.ON_SITE, "Besuch bei der Partnerstadt / Visit to the "
                                               "partner city"),
    (2023, 3, 15, "G", MeetingFormat.ON_SITE, "Gegenbesuch / Return visit"),
    (2023, 9, 20, "P", MeetingFormat.HYBRID, "Zwischenbilanz / Taking stock"),
    (2024, 4, 17, "G", MeetingFormat.ONLINE, "Transfer in die Praxis / Putting it into practice"),
]


def seed_meetings(*, now: datetime) -> None:
    """[Demo] Held meetings that respect the cap; Venlo hosts the partner's 2024 turn."""
    if Meeting.objects.exists():
        return
    for tandem in Tandem.objects.prefetch_related("memberships__city"):
        for year, month, day, side, format, title in MEETING_PLAN:
            starts_at = berlin(year, month, day, 10)
            host = next(m.city for m in tandem.memberships.all()
                        if m.is_german == (side == "G")
                        and m.joined_on <= starts_at.date() <= (m.left_on or date.max))
            meeting = meeting_create(
                tandem=tandem, title=f"[Demo] {title}", starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=6 if format == MeetingFormat.ON_SITE else 2),
                host=host, format=format,
                place=f"Rathaus {host.name}" if format != MeetingFormat.ONLINE else "",
                link="https://meet.example.org/vernetzt" if format != MeetingFormat.ON_SITE
                else "")
            if starts_at < now:
                meeting_set_status(meeting=meeting, status=MeetingStatus.HELD, now=now)


# The network events: (title, kind, format, place, starts, ends, places, registration closes).
EVENT_PLAN = [
    ("[Demo] Virtueller Auftakt des Netzwerks / Virtual network kick-off", EventKind.CONFERENCE,
     MeetingFormat.ONLINE, "", berlin(2022, 5, 17, 10), berlin(2022, 5, 17, 13), None,
     berlin(2022, 5, 13, 23, 59, 59)),
    ("[Demo] Netzwerktreffen in Berlin / Network meeting in Berlin", EventKind.CONFERENCE,
     MeetingFormat.ON_SITE, "Berlin", berlin(2023, 10, 23, 10), berlin(2023, 10, 24, 16), 60,
     berlin(2023, 10, 9, 23, 59, 59)),
    ("[Demo] Netzwerkkonferenz in Paris / Network conference in Paris", EventKind.CONFERENCE,
     MeetingFormat.ON_SITE, "Paris", berlin(2024, 9, 16, 9, 30), berlin(2024, 9, 16, 17, 30),
     40, berlin(2024, 9, 2, 23, 59, 59)),
    ("[Demo] Online-Abschlussworkshop / Online closing workshop", EventKind.WORKSHOP,
     MeetingFormat.ONLINE, "", berlin(2024, 12, 10, 10), berlin(2024, 12, 10, 13), 80,
     berlin(2024, 12, 3, 23, 59, 59)),
]


def seed_events(*, programme: Programme, now: datetime) -> None:
    """[Demo] The network events; the demo contacts took part in those already past."""
    contacts = [(User.objects.get(email=a.email), City.objects.get(name=a.city))
                for a in ACCOUNTS if a.city]
    for title, kind, format, place, starts_at, ends_at, capacity, closes_at in EVENT_PLAN:
        event = Event.objects.filter(programme=programme, title=title).first()
        if event is None:
            event = event_create(
                programme=programme, title=title, kind=kind, format=format, place=place,
                link="https://meet.example.org/vernetzt" if format == MeetingFormat.ONLINE
                else "", starts_at=starts_at, ends_at=ends_at, capacity=capacity,
                registration_closes_at=closes_at,
                description="[Demo] Austausch aller Tandems / All tandems share their "
                            "experience.")
        if starts_at >= now:
            continue
        for user, city in contacts:  # history, written directly: registration has closed
            Registration.objects.get_or_create(
                event=event, user=user,
                defaults={"city": city, "status": RegistrationStatus.CONFIRMED,
                          "created_at": closes_at - timedelta(days=7)})


# Draft case studies, one per tandem (by its German city): context, English summary, and
# the coded barriers (B) and drivers (D) as (category slug, level, text). Invented for the
# demo from the tandems' real topics; the transfer section lists the topics and their leads.
B, D = ItemKind.BARRIER, ItemKind.DRIVER
LOCAL, NATIONAL, EUROPEAN = Level.LOCAL, Level.NATIONAL, Level.EUROPEAN
CASE_STUDY_PLAN = {
    "Krefeld": (
        "Krefeld wollte die Bürgerbeteiligung digital öffnen und lernte dazu zuerst von "
        "Sofia, nach deren Rückzug Ende 2023 von Venlo.",
        "Krefeld learnt smart participation from Sofia; Sofia withdrew at the end of 2023 "
        "and Venlo continued the tandem with Krefeld.",
        [(B, "organisation-governance", LOCAL,
          "Der Partnerwechsel Ende 2023 unterbrach den Transfer für ein halbes Jahr."),
         (B, "staff-skills", LOCAL,
          "Für die Moderation von Online-Beteiligung fehlte geschultes Personal."),
         (B, "law-data-protection", NATIONAL,
          "Datenschutzfragen der Beteiligungsplattform verzögerten den Start."),
         (D, "participation", LOCAL,
          "Venlo teilte erprobte Formate der Quartiersbeteiligung."),
         (D, "language-culture", EUROPEAN,
          "Die Nähe zur Grenze erleichterte Besuche und den Austausch."),
         (D, "political-support", LOCAL,
          "Der Rat unterstützte das Ziel, mehr Menschen zu beteiligen.")]),
    "Hamm": (
        "Hamm und Arezzo tauschten sich über digitale Verwaltung, Mobilität, "
        "Luftqualitätssensoren und offene Daten aus.",
        "Hamm shared its air-quality sensors and open data; Arezzo shared its digital "
        "administration and mobility services.",
        [(B, "technology-infrastructure", LOCAL,
          "Die Sensordaten ließen sich nicht ohne Weiteres in Arezzos Systeme übernehmen."),
         (B, "funding", LOCAL, "Für weitere Messstationen fehlten Haushaltsmittel."),
         (B, "language-culture", EUROPEAN,
          "Fachbegriffe der Verwaltung mussten in beiden Sprachen geklärt werden."),
         (B, "law-data-protection", EUROPEAN,
          "Die Regeln für offene Daten unterscheiden sich in Deutschland und Italien."),
         (D, "political-support", LOCAL,
          "Beide Bürgermeister stellten das Tandem öffentlich vor."),
         (D, "technology-infrastructure", LOCAL,
          "Hamms Open-Data-Portal diente als Vorlage."),
         (D, "organisation-governance", LOCAL,
          "Feste Ansprechpersonen in beiden Verwaltungen hielten den Austausch am Laufen.")]),
    "Geestland": (
        "Geestland brachte sein Energiemonitoring ein und lernte von Vari-Voula-Vouliagmeni "
        "über Beteiligung, Mobilität und Kreislaufwirtschaft.",
        "Geestland led on energy monitoring; Vari-Voula-Vouliagmeni led on participation, "
        "mobility and the circular economy.",
        [(B, "staff-skills", LOCAL,
          "Eine kleine Verwaltung hat wenig Zeit neben dem Tagesgeschäft."),
         (B, "technology-infrastructure", LOCAL,
          "Die Zählerdaten öffentlicher Gebäude lagen in verschiedenen Formaten vor."),
         (B, "funding", NATIONAL,
          "Förderprogramme für kleine Kommunen passten selten zu den Vorhaben."),
         (D, "participation", LOCAL,
          "Die Beteiligungsformate des Partners ließen sich leicht übertragen."),
         (D, "funding", EUROPEAN, "Das Programm übernahm die Reisekosten."),
         (D, "political-support", LOCAL,
          "Energiesparen war beiden Räten ein gemeinsames Anliegen."),
         (D, "language-culture", EUROPEAN,
          "Gegenseitige Besuche schufen Vertrauen zwischen den Teams.")]),
    "München": (
        "München und Utrecht verglichen ihre urbanen digitalen Zwillinge und die "
        "Interoperabilität ihrer Datenplattformen.",
        "Munich shared its urban digital twin; Utrecht led on interoperability of data "
        "platforms and open standards.",
        [(B, "technology-infrastructure", EUROPEAN,
          "Unterschiedliche Datenmodelle erschwerten den Vergleich der Zwillinge."),
         (B, "law-data-protection", NATIONAL,
          "Die Nutzung von Geodaten war in beiden Ländern unterschiedlich geregelt."),
         (B, "organisation-governance", LOCAL,
          "Viele Fachreferate teilen sich die Verantwortung für die Daten."),
         (D, "technology-infrastructure", EUROPEAN,
          "Offene Standards wie CityGML verbanden beide Plattformen."),
         (D, "staff-skills", LOCAL, "Beide Städte haben erfahrene Datenteams."),
         (D, "organisation-governance", EUROPEAN,
          "Bestehende europäische Netzwerke erleichterten den Austausch.")]),
    "Arnsberg": (
        "Arnsberg und Alba Iulia arbeiteten an Smart-City-Strategie, Straßenbeleuchtung, "
        "Sensorik, offenen Daten und EU-Fördermitteln.",
        "Arnsberg shared its smart street lighting; Alba Iulia led on smart-city strategy, "
        "sensors, open data and EU funding.",
        [(B, "funding", NATIONAL,
          "Der Eigenanteil an EU-Förderung ist für Arnsberg schwer aufzubringen."),
         (B, "staff-skills", LOCAL, "Für Förderanträge fehlte Erfahrung im Haus."),
         (B, "technology-infrastructure", LOCAL,
          "Die alte Beleuchtung ließ sich nur schrittweise vernetzen."),
         (B, "language-culture", EUROPEAN,
          "Die Verwaltungskulturen unterscheiden sich bei Beschaffung und Planung."),
         (D, "funding", EUROPEAN,
          "Alba Iulia teilte seine Erfahrung mit EU-Förderanträgen."),
         (D, "political-support", LOCAL,
          "Die Smart-City-Strategie wurde vom Rat beschlossen."),
         (D, "technology-infrastructure", LOCAL,
          "Die vernetzte Straßenbeleuchtung spart messbar Energie.")]),
    "Pirna": (
        "Pirna lernte von Bolesławiec über digitale Verwaltung und den Weg zu einer "
        "Smart-City-Strategie.",
        "Pirna learnt from Bolesławiec about digital administration and how to build a "
        "smart-city strategy.",
        [(B, "staff-skills", LOCAL,
          "Für die Digitalisierung der Verwaltung fehlte Personal."),
         (B, "law-data-protection", NATIONAL,
          "Die Vorgaben des Onlinezugangsgesetzes banden viele Kräfte."),
         (B, "language-culture", EUROPEAN,
          "Die Treffen brauchten Dolmetschung zwischen Deutsch und Polnisch."),
         (D, "organisation-governance", LOCAL,
          "Bolesławiec zeigte, wie eine Stabsstelle Digitalisierung arbeitet."),
         (D, "political-support", LOCAL,
          "Die Stadtspitze trug die Strategie von Beginn an mit."),
         (D, "language-culture", EUROPEAN,
          "Die Nachbarschaft im Grenzraum erleichterte Besuche.")]),
}


def seed_case_studies() -> None:
    """[Demo] A draft case study per tandem, by the demo researcher: versions 1 and 2."""
    categories_ensure()  # a flushed test database has lost the migration's categories
    researcher = User.objects.get(email="researcher@example.org")
    tandems = (Tandem.objects.filter(case_study__isnull=True)
               .prefetch_related("memberships__city", "topics__topic", "topics__lighthouse"))
    for tandem in tandems:
        german = tandem.current_memberships()[0].city.name
        if german not in CASE_STUDY_PLAN:
            continue
        context, summary_en, items = CASE_STUDY_PLAN[german]
        transfer = "\n".join(
            f"- {t.topic.name_de}: geleitet von {t.lighthouse.name}" if t.lighthouse
            else f"- {t.topic.name_de}: Leuchtturm noch offen"
            for t in sorted(tandem.topics.all(), key=lambda t: t.topic.slug))
        case_study = casestudy_create(tandem=tandem, title=f"[Demo] Fallstudie {tandem}",
                                      language=Language.GERMAN, researchers=[researcher],
                                      by=researcher, is_demo=True)
        casestudy_save(
            case_study=case_study, base_version=case_study.version, by=researcher,
            changes={"context": f"[Demodaten] {context}",
                     "transfer": f"Die Themen des Tandems und ihre Leuchttürme:\n\n{transfer}",
                     "summary_en": f"[Demo data] {summary_en}"},
            items=[Item(kind, category, level, text) for kind, category, level, text in items])


def seed(*, password: str | None = None, now: datetime | None = None) -> list[DemoAccount]:
    now = now or timezone.now()
    programme = seed_programme(now=now)
    seed_topics()
    seed_cities()
    seed_expressions(programme=programme)
    seed_tandems(programme=programme, now=now)
    seed_meetings(now=now)
    accounts = seed_accounts(password=password, now=now)
    seed_events(programme=programme, now=now)  # after the accounts: they registered
    seed_case_studies()  # after the accounts: the demo researcher writes them
    return accounts
