from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.models import City, Programme, Topic
from tandems.enums import LIVE_STATES, TandemState


class TandemQuerySet(models.QuerySet):
    def live(self):
        """Tandems that count against the programme's places: not ended or dissolved."""
        return self.filter(state__in=LIVE_STATES)


class Tandem(models.Model):
    """A German municipality and a city from another European country, learning together."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="tandems",
                                  verbose_name=_("programme"))
    state = models.CharField(_("state"), max_length=10, choices=TandemState,
                             default=TandemState.FORMING)
    formed_on = models.DateField(_("formed on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = TandemQuerySet.as_manager()

    class Meta:
        verbose_name = _("tandem")
        verbose_name_plural = _("tandems")
        ordering = ["formed_on", "pk"]

    def __str__(self):
        names = " – ".join(m.city.name for m in self.current_memberships())
        return names or f"{_('Tandem')} {self.pk}"

    def current_memberships(self):
        """The members now (prefetch ``memberships__city`` to keep this query-free)."""
        return sorted((m for m in self.memberships.all() if m.left_on is None),
                      key=lambda m: not m.is_german)


class Membership(models.Model):
    """A city's time in a tandem; a withdrawal ends it and keeps the record."""

    tandem = models.ForeignKey(Tandem, on_delete=models.CASCADE, related_name="memberships")
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="memberships",
                             verbose_name=_("city"))
    # Copied from the tandem and the city so the database itself can hold the rules below.
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    is_german = models.BooleanField(editable=False)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["joined_on", "pk"]
        constraints = [
            # A city is in at most one live tandem per programme.
            models.UniqueConstraint(fields=["city", "programme"], condition=Q(left_on=None),
                                    name="membership_one_live_tandem_per_city"),
            # A tandem has at most one current German and one current non-German member.
            models.UniqueConstraint(fields=["tandem", "is_german"], condition=Q(left_on=None),
                                    name="membership_one_german_one_partner"),
        ]

    def __str__(self):
        return f"{self.city} ({self.joined_on} – {self.left_on or ''})"


class TandemTopic(models.Model):
    """A topic of a tandem and the member city that leads it (the lighthouse)."""

    tandem = models.ForeignKey(Tandem, on_delete=models.CASCADE, related_name="topics")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("topic"))
    lighthouse = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("lighthouse"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tandem topic")
        verbose_name_plural = _("tandem topics")
        constraints = [
            # One row per topic, so exactly one lighthouse per topic.
            models.UniqueConstraint(fields=["tandem", "topic"], name="tandemtopic_unique"),
        ]

    def __str__(self):
        return f"{self.topic}: {self.lighthouse}"


class PairingRule(models.Model):
    """Staff steer the pairing assistant: never propose a pair, or always propose it."""

    class Kind(models.TextChoices):
        EXCLUDE = "exclude", _("never pair")
        REQUIRE = "require", _("must pair")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("programme"))
    german_city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+",
                                    verbose_name=_("German municipality"),
                                    limit_choices_to={"country": "DE"})
    partner_city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("partner city"))
    kind = models.CharField(_("rule"), max_length=8, choices=Kind)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("pairing rule")
        verbose_name_plural = _("pairing rules")
        constraints = [
            models.UniqueConstraint(fields=["programme", "german_city", "partner_city"],
                                    name="pairingrule_unique"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.german_city} – {self.partner_city}"
