from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TandemsConfig(AppConfig):
    name = "tandems"
    verbose_name = _("Tandems")

    def ready(self):
        from notifications.registry import register_attachment, register_reminder
        from tandems.personal_data import register_sections
        from tandems.reminders import TANDEM_REMINDERS, meeting_ics_attachment

        register_sections()
        register_attachment("meeting_ics", meeting_ics_attachment)
        for kind in TANDEM_REMINDERS:
            register_reminder(kind)
