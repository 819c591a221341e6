from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    """Send allauth's mails (verification, password reset, notices) through the outbox."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        from notifications.services import message_queue

        request = allauth_context.request
        recipient = context.get("user") or User.objects.filter(email__iexact=email).first()
        message_queue(
            kind="account:" + template_prefix.rsplit("/", 1)[-1],
            to=email,
            recipient=recipient if isinstance(recipient, User) else None,
            template=template_prefix,
            context={"request": request, "email": email,
                     "current_site": get_current_site(request) if request else None,
                     **context},
        )
