"""The site's fixed pages: their slug, title and one template per language.

Long legal and explanatory prose is kept as one whole document per language
(``core/pages/<slug>.<lang>.html``) rather than as hundreds of message ids,
so that a lawyer or a Leichte-Sprache editor can review a page as one text.
"""

from django.utils.translation import gettext_lazy as _

PAGES = {
    "impressum": _("Legal notice"),
    "datenschutz": _("Privacy"),
    "barrierefreiheit": _("Accessibility statement"),
    "leichte-sprache": _("Easy-to-read language"),
}
