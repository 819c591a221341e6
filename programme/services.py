from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from programme.countries import GERMANY
from programme.models import City, CityContact


def city_contact_verify(*, contact: CityContact, by, now: datetime) -> CityContact:
    """Record that staff member ``by`` confirmed ``contact`` speaks for its city."""
    contact.verified_by = by
    contact.verified_at = now
    contact.full_clean()
    contact.save(update_fields=["verified_by", "verified_at"])
    return contact


def german_city_for_ags(*, ags: str, name: str, population: int | None) -> City:
    """Find a German municipality by its AGS, or register it with the name given.

    The AGS identifies the municipality; a different spelling of a known one is refused
    so that two people cannot file the same municipality under two names.
    """
    city = City.objects.filter(ags=ags).first()
    if city is None:
        city = City(name=name.strip(), country=GERMANY, ags=ags, population=population)
        city.full_clean()
        city.save()
    elif city.name.casefold() != name.strip().casefold():
        raise ValidationError(
            {"name": _("The municipality key %(ags)s belongs to %(name)s.") % {
                "ags": ags, "name": city.name}}, code="ags_name_mismatch")
    return city
