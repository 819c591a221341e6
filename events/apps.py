from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Network events")

    def ready(self):
        from events.calendar import event_ics_attachment
        from events.personal_data import register_sections
        from notifications.registry import register_attachment

        register_sections()
        register_attachment("event_ics", event_ics_attachment)
