from celery import shared_task
from django.utils import timezone

from notifications import services
from notifications.enums import MessageState


@shared_task(bind=True, acks_late=True, ignore_result=True)
def deliver_message(self, message_id: int) -> None:
    """Send one queued message; a retry waits for the message's own backoff."""
    message = services.message_deliver(message_id=message_id, now=timezone.now())
    if message and message.state == MessageState.PENDING and not self.request.is_eager:
        raise self.retry(eta=message.next_attempt_at, max_retries=services.MAX_TRIES)


@shared_task(ignore_result=True)
def sweep_notifications() -> None:
    """Plan due reminders and send what is pending (Celery beat, every few minutes)."""
    services.notifications_sweep(now=timezone.now())
