"""Pure checks for programme data, shared by model clean(), forms and services."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

AGS_PATTERN = re.compile(r"^\d{8}$")


def validate_ags(value: str) -> None:
    """Check an Amtlicher Gemeindeschlüssel: eight digits, the first two a Land (01-16)."""
    if not AGS_PATTERN.match(value or ""):
        raise ValidationError(
            _("The municipality key (AGS) has exactly eight digits, for example 05114000."),
            code="ags_format",
        )
    if not 1 <= int(value[:2]) <= 16:
        raise ValidationError(
            _("The first two digits of the AGS name the Land and run from 01 to 16."),
            code="ags_land",
        )
