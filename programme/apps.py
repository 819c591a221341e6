from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def forget_programme_pages(**kwargs):
    """The programme page and the information sheet show these models: a change to one
    reaches anonymous visitors once it is committed, not when the cached copies expire."""
    from django.db import transaction

    from core.page_cache import forget_public_pages

    def forget():
        forget_public_pages("programme:page")
        forget_public_pages("programme:infosheet")

    transaction.on_commit(forget)


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = _("Programme")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from applications.models import Call
        from programme.models import Milestone, Organisation, Programme
        from programme.personal_data import register_sections

        register_sections()

        for model in (Programme, Call, Organisation, Milestone):
            for signal in (post_save, post_delete):
                signal.connect(forget_programme_pages, sender=model,
                               dispatch_uid=f"forget_programme_pages_{model.__name__}")
