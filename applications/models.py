from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.countries import GERMANY
from programme.models import Programme


def default_eligible_countries():
    return [GERMANY.value]


class CallQuerySet(models.QuerySet):
    def real(self):
        """Calls that count: practice calls never appear in facts, figures or exports."""
        return self.filter(is_practice=False)

    def practice(self):
        return self.filter(is_practice=True)

    def open_at(self, moment):
        return self.filter(opens_at__lte=moment, closes_at__gte=moment)


class Call(models.Model):
    """A call for expressions of interest, open from ``opens_at`` to ``closes_at`` inclusive."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="calls")
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(
        _("closes at"), help_text=_("The last moment that is still in time, for example 23:59:59.")
    )
    eligible_countries = models.JSONField(
        _("countries that may apply"), default=default_eligible_countries
    )
    is_practice = models.BooleanField(
        _("practice call"), default=False,
        help_text=_("Lets newcomers try the form; never counts in facts, figures or exports."),
    )

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-closes_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="call_closes_after_opening"
            ),
        ]

    def __str__(self):
        label = _("Practice call") if self.is_practice else _("Call")
        closes = timezone.localtime(self.closes_at).date().isoformat()
        return f"{label} {self.programme.slug} – {closes}"
