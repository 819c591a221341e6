from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseStudiesConfig(AppConfig):
    name = "casestudies"
    verbose_name = _("Case studies")

    def ready(self):
        from casestudies.personal_data import register_sections
        from casestudies.reminders import CASE_STUDY_REMINDERS
        from notifications.registry import register_reminder

        register_sections()
        for kind in CASE_STUDY_REMINDERS:
            register_reminder(kind)
