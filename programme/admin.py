from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import DeleteGuard
from programme.models import (
    City,
    CityContact,
    CityTopic,
    JoinRequest,
    Milestone,
    Organisation,
    PartnerInvitation,
    Programme,
    Topic,
)


class OrganisationInline(admin.TabularInline):
    model = Organisation
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(DeleteGuard, admin.ModelAdmin):
    list_display = ["slug", "name_de", "runs_from", "runs_until", "max_tandems"]
    inlines = [OrganisationInline, MilestoneInline]


@admin.register(Topic)
class TopicAdmin(DeleteGuard, admin.ModelAdmin):
    list_display = ["slug", "name_de", "name_en"]
    search_fields = ["slug", "name_de", "name_en"]


class CityContactInline(admin.TabularInline):
    model = CityContact
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["verified_by", "verified_at"]


class CityTopicInline(admin.TabularInline):
    model = CityTopic
    extra = 1


@admin.register(City)
class CityAdmin(DeleteGuard, admin.ModelAdmin):
    list_display = ["name", "country", "ags", "population", "languages", "time_zone"]
    list_filter = ["country"]
    search_fields = ["name", "ags"]
    inlines = [CityTopicInline, CityContactInline]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"  # "www.krefeld.de" means https, as Django 6 will
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(CityContact)
class CityContactAdmin(DeleteGuard, admin.ModelAdmin):
    list_display = ["user", "city", "function", "email_domain_hint", "verified_at", "verified_by"]
    list_filter = [("verified_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user", "city", "verified_by"]
    search_fields = ["user__email", "user__name", "city__name", "city__ags"]
    autocomplete_fields = ["user", "city"]
    readonly_fields = ["verified_by", "verified_at"]
    actions = ["verify"]

    @admin.display(description=_("e-mail at the municipality's domain"), boolean=True)
    def email_domain_hint(self, contact):
        return contact.email_matches_website

    @admin.action(description=_("Verify the selected contacts"))
    def verify(self, request, queryset):
        from programme.services import city_contact_verify

        for contact in queryset.filter(verified_at__isnull=True):
            city_contact_verify(contact=contact, by=request.user, now=timezone.now())


@admin.register(JoinRequest)
class JoinRequestAdmin(DeleteGuard, admin.ModelAdmin):
    list_display = ["user", "city", "created_at", "approved", "decided_by", "decided_at"]
    list_filter = [("decided_at", admin.EmptyFieldListFilter), "approved"]
    list_select_related = ["user", "city", "decided_by"]
    search_fields = ["user__email", "user__name", "city__name", "city__ags"]
    readonly_fields = ["user", "city", "created_at", "approved", "decided_by", "decided_at"]
    actions = ["approve", "decline"]

    def has_add_permission(self, request):
        return False

    def _decide(self, request, queryset, approve):
        from programme.services import join_request_decide

        for join_request in queryset.filter(decided_at__isnull=True).select_related("user",
                                                                                 "city"):
            try:
                join_request_decide(request=join_request, by=request.user, approve=approve,
                                    now=timezone.now())
            except ValidationError as error:  # e.g. a staff member's own request
                self.message_user(request, f"{join_request}: {error.messages[0]}",
                                  messages.ERROR)

    @admin.action(description=_("Approve the selected requests"))
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Decline the selected requests"))
    def decline(self, request, queryset):
        self._decide(request, queryset, approve=False)


class PartnerInvitationForm(forms.ModelForm):
    class Meta:
        model = PartnerInvitation
        fields = ["city", "email"]

    def clean_city(self):
        city = self.cleaned_data["city"]
        if city.is_german:
            raise forms.ValidationError(_("Invitations are for partner cities; German "
                                          "municipalities express interest themselves."))
        return city


@admin.register(PartnerInvitation)
class PartnerInvitationAdmin(DeleteGuard, admin.ModelAdmin):
    """Invite a partner city's contact; the mail goes through the outbox, in English."""

    form = PartnerInvitationForm
    list_display = ["email", "city", "invited_by", "created_at", "accepted_at"]
    list_select_related = ["city", "invited_by"]
    autocomplete_fields = ["city"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["city", "email", "invited_by", "created_at",
                                        "accepted_by", "accepted_at"]

    def save_model(self, request, obj, form, change):
        if change:
            return
        from programme.services import partner_invite

        invitation = partner_invite(city=obj.city, email=obj.email, by=request.user,
                                    now=timezone.now())
        obj.pk = invitation.pk
