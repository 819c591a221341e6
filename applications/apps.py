from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Expressions of interest")

    def ready(self):
        from applications.documents import eoi_pdf_attachment
        from applications.personal_data import register_sections
        from applications.reminders import DRAFT_REMINDERS
        from notifications.registry import register_attachment, register_reminder

        register_sections()
        register_attachment("eoi_pdf", eoi_pdf_attachment)
        for kind in DRAFT_REMINDERS:
            register_reminder(kind)
