from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import DeleteGuard, keep_on_record
from notifications.enums import MessageState
from notifications.models import Message
from notifications.services import message_resend

# The outbox is the record of what was sent; a message's key keeps it from going twice.
keep_on_record(Message, instead=_(
    "the outbox is the record of what was sent, and a deleted reminder would be sent again. "
    "To send an e-mail again, use “Send the selected e-mails again”."))

@admin.register(Message)
class MessageAdmin(DeleteGuard, admin.ModelAdmin):
    list_display = ["to_email", "kind", "subject", "state", "tries", "created_at", "sent_at"]
    list_filter = ["state", "kind", "language"]
    search_fields = ["to_email", "subject", "key", "recipient__name"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    fields = ["to_email", "recipient", "kind", "key", "language", "subject", "body_text",
              "attachments", "content_type", "object_id", "occasion", "state", "tries",
              "last_error", "created_at", "next_attempt_at", "claimed_at", "sent_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the selected e-mails again"), permissions=["view"])
    def resend(self, request, queryset):
        now = timezone.now()
        resent = [message_resend(message=m, now=now) for m in
                  queryset.filter(state__in=[MessageState.FAILED, MessageState.SENT])]
        self.message_user(request, ngettext("%(count)d e-mail is queued again.",
                                            "%(count)d e-mails are queued again.",
                                            len(resent)) % {"count": len(resent)},
                          messages.SUCCESS)
