from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.validators import validate_single_line
from programme.countries import GERMANY, Country
from programme.enums import DatePrecision, OrganisationRole
from programme.i18n import localized
from programme.lands import land_of
from programme.validators import validate_ags


class ProgrammeQuerySet(models.QuerySet):
    def current(self):
        """Return the programme the public site presents (the newest; of two starting on
        the same day, the one created last, so that every database answers the same)."""
        return self.order_by("-runs_from", "-pk").first()


class Programme(models.Model):
    """The programme and the facts that the page, the info sheet and the rules read."""

    slug = models.SlugField(_("short name"), unique=True)
    name_de = models.CharField(_("name (German)"), max_length=100,
                               validators=[validate_single_line])
    name_en = models.CharField(_("name (English)"), max_length=100,
                               validators=[validate_single_line])
    runs_from = models.DateField(_("runs from"))
    runs_until = models.DateField(_("runs until"))
    first_meeting_year = models.PositiveSmallIntegerField(_("first meeting year"))
    last_meeting_year = models.PositiveSmallIntegerField(_("last meeting year"))
    max_tandems = models.PositiveSmallIntegerField(_("number of tandems"), default=6)
    max_meetings_per_year = models.PositiveSmallIntegerField(
        _("meetings per tandem and year"), default=2
    )
    contact_name = models.CharField(_("contact name"), max_length=200,
                                    validators=[validate_single_line])
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True,
                                     validators=[validate_single_line])
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(runs_until__gte=F("runs_from")), name="programme_runs_forward"
            ),
            models.CheckConstraint(
                condition=Q(last_meeting_year__gte=F("first_meeting_year")),
                name="programme_meeting_years_forward",
            ),
            models.CheckConstraint(condition=Q(max_tandems__gte=1), name="programme_has_tandems"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")

    @property
    def meeting_years(self) -> range:
        return range(self.first_meeting_year, self.last_meeting_year + 1)


class Organisation(models.Model):
    """Who funds, commissions, runs and supports the programme."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="organisations"
    )
    role = models.CharField(_("role"), max_length=10, choices=OrganisationRole)
    name_de = models.CharField(_("name (German)"), max_length=200,
                               validators=[validate_single_line])
    name_en = models.CharField(_("name (English)"), max_length=200,
                               validators=[validate_single_line])
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")


class Milestone(models.Model):
    """A date on the programme's public timeline."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="milestones")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    precision = models.CharField(
        _("shown to the"), max_length=5, choices=DatePrecision, default=DatePrecision.DAY
    )
    label_de = models.CharField(_("label (German)"), max_length=200,
                                validators=[validate_single_line])
    label_en = models.CharField(_("label (English)"), max_length=200,
                                validators=[validate_single_line])

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="milestone_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return localized(self, "label")


class Topic(models.Model):
    """A smart-city topic a tandem can work on (managed taxonomy)."""

    slug = models.SlugField(_("short name"), unique=True)
    name_de = models.CharField(_("name (German)"), max_length=150,
                               validators=[validate_single_line])
    name_en = models.CharField(_("name (English)"), max_length=150,
                               validators=[validate_single_line])

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["slug"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")


class City(models.Model):
    """A municipality: German ones carry their Amtlicher Gemeindeschlüssel."""

    name = models.CharField(_("name"), max_length=150, validators=[validate_single_line])
    country = models.CharField(_("country"), max_length=2, choices=Country)
    ags = models.CharField(  # noqa: DJ001 - NULL, not "", so that uniqueness skips cities without AGS
        _("municipality key (AGS)"),
        max_length=8,
        null=True,
        blank=True,
        validators=[validate_ags],
        help_text=_("Amtlicher Gemeindeschlüssel, eight digits; German municipalities only."),
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True,
                                   blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True,
                                    blank=True)
    languages = models.CharField(
        _("working languages"), max_length=100, blank=True,
        help_text=_("ISO 639-1 codes separated by commas, for example de,en."),
        validators=[validate_single_line],
    )
    time_zone = models.CharField(_("time zone"), max_length=50, default="Europe/Berlin")
    website = models.URLField(_("website"), blank=True,
                              help_text=_("Lets staff see whether a contact's e-mail domain "
                                          "belongs to the municipality."))

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ags"], condition=Q(ags__isnull=False), name="city_ags_unique"
            ),
            models.CheckConstraint(
                condition=Q(ags__isnull=True) | Q(country=GERMANY), name="city_ags_only_german"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_german(self) -> bool:
        return self.country == GERMANY

    @property
    def land(self):
        """The Land, derived from the AGS (never typed in); None outside Germany."""
        return land_of(self.ags)


class CityTopic(models.Model):
    """A topic a city can share experience in (lighthouse) or wants to learn (follower).

    German municipalities state theirs in their expression of interest; partner cities
    in their profile, which the pairing assistant reads.
    """

    class Role(models.TextChoices):
        LIGHTHOUSE = "lighthouse", _("can share experience (lighthouse)")
        FOLLOWER = "follower", _("wants to learn (follower)")

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="topics")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("topic"))
    role = models.CharField(_("role"), max_length=10, choices=Role)

    class Meta:
        verbose_name = _("topic of the city")
        verbose_name_plural = _("topics of the city")
        constraints = [
            models.UniqueConstraint(fields=["city", "topic"], name="citytopic_unique"),
        ]

    def __str__(self):
        return f"{self.city}: {self.topic} ({self.get_role_display()})"


class CityContact(models.Model):
    """A person who speaks for a city, once staff have verified it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="city_contacts"
    )
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="contacts")
    function = models.CharField(_("function"), max_length=150, blank=True,
                                validators=[validate_single_line])
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("city contact")
        verbose_name_plural = _("city contacts")
        constraints = [
            models.UniqueConstraint(fields=["user", "city"], name="citycontact_unique"),
        ]

    def __str__(self):
        return f"{self.user} – {self.city}"

    @property
    def email_matches_website(self) -> bool | None:
        """A hint for staff: is the e-mail at the municipality's own domain? None if unknown."""
        host = urlsplit(self.city.website).hostname or ""
        if not host:
            return None
        domain = host.removeprefix("www.").lower()
        email_domain = self.user.email.rpartition("@")[2].lower()
        return email_domain == domain or email_domain.endswith("." + domain)


class JoinRequest(models.Model):
    """A person asks to speak for a municipality; one of its contacts or staff decides."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="join_requests", verbose_name=_("person"))
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="join_requests",
                             verbose_name=_("municipality"))
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    approved = models.BooleanField(_("approved"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("request to join")
        verbose_name_plural = _("requests to join")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "city"], condition=Q(decided_at__isnull=True),
                                    name="joinrequest_one_open_per_person"),
        ]

    def __str__(self):
        return f"{self.user} → {self.city}"


class PartnerInvitation(models.Model):
    """Staff invite a partner city's contact by e-mail to sign up and complete its profile."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="invitations",
                             verbose_name=_("city"))
    email = models.EmailField(_("e-mail"))
    token = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("invited by"))
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("accepted by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.city}"
