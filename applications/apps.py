from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Expressions of interest")

    def ready(self):
        from applications.documents import eoi_pdf_attachment
        from notifications.registry import register_attachment

        register_attachment("eoi_pdf", eoi_pdf_attachment)
