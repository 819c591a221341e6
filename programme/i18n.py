from django.utils.translation import get_language


def localized(obj, field: str) -> str:
    """Return ``obj.<field>_<active language>``, falling back to German."""
    language = (get_language() or "de")[:2]
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_de")
