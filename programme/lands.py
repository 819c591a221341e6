"""The sixteen Länder, named by the first two digits of the Amtlicher Gemeindeschlüssel."""

from django.utils.translation import gettext_lazy as _

LANDS = {
    "01": _("Schleswig-Holstein"),
    "02": _("Hamburg"),
    "03": _("Lower Saxony"),
    "04": _("Bremen"),
    "05": _("North Rhine-Westphalia"),
    "06": _("Hesse"),
    "07": _("Rhineland-Palatinate"),
    "08": _("Baden-Württemberg"),
    "09": _("Bavaria"),
    "10": _("Saarland"),
    "11": _("Berlin"),
    "12": _("Brandenburg"),
    "13": _("Mecklenburg-Western Pomerania"),
    "14": _("Saxony"),
    "15": _("Saxony-Anhalt"),
    "16": _("Thuringia"),
}


def land_of(ags: str | None):
    """Return the Land's name for an AGS, or None if the AGS names no Land."""
    return LANDS.get((ags or "")[:2])
