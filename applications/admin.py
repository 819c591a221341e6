from django.contrib import admin
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from applications.models import Call, ExpressionOfInterest, LateEntry, TopicInterest
from applications.services import late_entry_grant


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["__str__", "opens_at", "closes_at", "is_practice"]
    list_filter = ["is_practice", "programme"]
    list_select_related = ["programme"]


class TopicInterestInline(admin.TabularInline):
    model = TopicInterest
    extra = 0
    can_delete = False
    readonly_fields = ["topic", "role"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ExpressionOfInterest)
class ExpressionOfInterestAdmin(SimpleHistoryAdmin):
    """Applicants' content is theirs: staff read it here, with every version in the history."""

    list_display = ["reference", "city", "status", "call", "submitted_at", "updated_at"]
    list_filter = ["status", "call"]
    list_select_related = ["city", "call__programme"]
    search_fields = ["reference", "city__name", "city__ags", "contact_name", "contact_email"]
    inlines = [TopicInterestInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(LateEntry)
class LateEntryAdmin(SimpleHistoryAdmin):
    list_display = ["city", "call", "expires_at", "granted_by", "granted_at"]
    list_select_related = ["city", "call__programme", "granted_by"]
    fields = ["call", "city", "reason", "expires_at"]
    autocomplete_fields = ["city"]

    def save_model(self, request, obj, form, change):
        # The one write path: it checks the expiry and records who granted it.
        granted = late_entry_grant(call=obj.call, city=obj.city, reason=obj.reason,
                                   expires_at=obj.expires_at, by=request.user,
                                   now=timezone.now())
        obj.pk = granted.pk
