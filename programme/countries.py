"""European countries a partner city can come from (ISO 3166-1 alpha-2), named in de and en."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Country(models.TextChoices):
    AL = "AL", _("Albania")
    AT = "AT", _("Austria")
    BA = "BA", _("Bosnia and Herzegovina")
    BE = "BE", _("Belgium")
    BG = "BG", _("Bulgaria")
    CH = "CH", _("Switzerland")
    CY = "CY", _("Cyprus")
    CZ = "CZ", _("Czechia")
    DE = "DE", _("Germany")
    DK = "DK", _("Denmark")
    EE = "EE", _("Estonia")
    ES = "ES", _("Spain")
    FI = "FI", _("Finland")
    FR = "FR", _("France")
    GB = "GB", _("United Kingdom")
    GR = "GR", _("Greece")
    HR = "HR", _("Croatia")
    HU = "HU", _("Hungary")
    IE = "IE", _("Ireland")
    IS = "IS", _("Iceland")
    IT = "IT", _("Italy")
    LI = "LI", _("Liechtenstein")
    LT = "LT", _("Lithuania")
    LU = "LU", _("Luxembourg")
    LV = "LV", _("Latvia")
    MD = "MD", _("Moldova")
    ME = "ME", _("Montenegro")
    MK = "MK", _("North Macedonia")
    MT = "MT", _("Malta")
    NL = "NL", _("Netherlands")
    NO = "NO", _("Norway")
    PL = "PL", _("Poland")
    PT = "PT", _("Portugal")
    RO = "RO", _("Romania")
    RS = "RS", _("Serbia")
    SE = "SE", _("Sweden")
    SI = "SI", _("Slovenia")
    SK = "SK", _("Slovakia")
    UA = "UA", _("Ukraine")


GERMANY = Country.DE
