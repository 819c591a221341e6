from datetime import datetime

from programme.models import CityContact


def city_contact_verify(*, contact: CityContact, by, now: datetime) -> CityContact:
    """Record that staff member ``by`` confirmed ``contact`` speaks for its city."""
    contact.verified_by = by
    contact.verified_at = now
    contact.full_clean()
    contact.save(update_fields=["verified_by", "verified_at"])
    return contact
