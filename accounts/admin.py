from django.contrib import admin, messages
from django.contrib.admin import actions as admin_actions
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import user_delete


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """People and their roles. Only superusers manage superusers and decide who is staff
    (``accounts.manage_account``, ``accounts.grant_staff_status``): for other staff a
    superuser's page is read-only, its password page and deletion are refused."""

    ordering = ["email"]
    list_display = ["email", "name", "language", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active", "language", "groups"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["name", "language"]}),
        (_("Roles"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "language",
                                                "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["delete_selected"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("accounts.grant_staff_status"):
            fields += ["is_staff", "is_superuser"]
        return fields

    def has_change_permission(self, request, obj=None):
        # Also guards the password page (UserAdmin.user_change_password asks this).
        return (super().has_change_permission(request, obj)
                and request.user.has_perm("accounts.manage_account", obj))

    def has_delete_permission(self, request, obj=None):
        return (super().has_delete_permission(request, obj)
                and request.user.has_perm("accounts.manage_account", obj))

    def delete_model(self, request, obj):
        # What goes and what stays without the person's name is the account deletion's rule
        # (accounts/personal_data.py), from the admin as from "Delete account".
        try:
            user_delete(user=obj)
        except ValidationError as error:  # the confirmation page lists protected records
            self.message_user(request, " ".join(error.messages), messages.ERROR)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            self.delete_model(request, user)

    @admin.action(permissions=["delete"],
                  description=_("Delete selected %(verbose_name_plural)s"))
    def delete_selected(self, request, queryset):
        """Django's bulk delete, without the accounts this staff member may not manage."""
        refused = [user for user in queryset
                   if not request.user.has_perm("accounts.manage_account", user)]
        if refused:
            self.message_user(request, gettext(
                "Only superusers manage superusers; not deleted: %(accounts)s.")
                % {"accounts": ", ".join(user.email for user in refused)}, messages.WARNING)
            queryset = queryset.exclude(pk__in=[user.pk for user in refused])
        if not queryset.exists():
            return None
        return admin_actions.delete_selected(self, request, queryset)
