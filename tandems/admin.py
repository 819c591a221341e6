from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from programme.models import City, Programme, Topic
from tandems import services
from tandems.enums import TandemState
from tandems.models import Membership, PairingRule, Tandem, TandemTopic
from tandems.pairing import best_pairs
from tandems.selectors import pairing_input, pairing_rules


class TandemCreateForm(forms.ModelForm):
    """Pair two cities; the rules are checked here for a clear message, and again by the
    service under the programme's lock when it saves."""

    german_city = forms.ModelChoiceField(City.objects.filter(country="DE"),
                                         label=_("German municipality"))
    partner_city = forms.ModelChoiceField(City.objects.exclude(country="DE"),
                                          label=_("Partner city"))

    class Meta:
        model = Tandem
        fields = ["programme", "formed_on"]

    def clean(self):
        data = super().clean()
        if all(data.get(k) for k in ("programme", "german_city", "partner_city")):
            services.tandem_check(programme=data["programme"], german_city=data["german_city"],
                                  partner_city=data["partner_city"])
        return data


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    can_delete = False
    fields = ["city", "joined_on", "left_on"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class TandemTopicInline(admin.TabularInline):
    model = TandemTopic
    extra = 1


def state_action(state):
    def action(modeladmin, request, queryset):
        for tandem in queryset:
            try:
                services.tandem_set_state(tandem=tandem, state=state, on=timezone.localdate())
            except ValidationError as error:
                modeladmin.message_user(request, f"{tandem}: {error.messages[0]}",
                                        messages.ERROR)

    action.__name__ = f"make_{state}"
    return admin.action(description=_("Mark as %(state)s") % {
        "state": TandemState(state).label})(action)


@admin.register(Tandem)
class TandemAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "programme", "state", "formed_on", "ended_on"]
    list_filter = ["state", "programme"]
    change_list_template = "admin/tandems/tandem/change_list.html"

    def get_urls(self):
        return [path("suggestions/", self.admin_site.admin_view(self.suggestions_view),
                     name="tandems_tandem_suggestions"), *super().get_urls()]

    def suggestions_view(self, request):
        """The pairing assistant's proposals; accepting one pairs the cities via the service."""
        if not self.has_add_permission(request):
            raise Http404
        programme = Programme.objects.current()
        germans, partners, free = pairing_input(programme)
        excluded, required = pairing_rules(programme)
        pairs = best_pairs(germans, partners, free, excluded, required)
        if request.method == "POST":
            chosen = next((p for p in pairs if f"{p.german.key}-{p.partner.key}"
                           == request.POST.get("pair")), None)
            if chosen is None:
                self.message_user(request, _("This suggestion is no longer current."),
                                  messages.ERROR)
                return redirect("admin:tandems_tandem_suggestions")
            german, partner = (City.objects.get(pk=chosen.german.key),
                               City.objects.get(pk=chosen.partner.key))
            topics = Topic.objects.in_bulk(list(chosen.lighthouses), field_name="slug")
            try:
                tandem = services.tandem_create(
                    programme=programme, german_city=german, partner_city=partner,
                    topics={topics[slug]: german if lead == "german" else partner
                            for slug, lead in chosen.lighthouses.items()},
                    formed_on=timezone.localdate())
            except ValidationError as error:
                self.message_user(request, error.messages[0], messages.ERROR)
                return redirect("admin:tandems_tandem_suggestions")
            self.message_user(request, _("The tandem %(tandem)s has been formed.") % {
                "tandem": tandem})
            return redirect("admin:tandems_tandem_change", tandem.pk)
        return TemplateResponse(request, "admin/tandems/suggestions.html", {
            **self.admin_site.each_context(request), "pairs": pairs, "free": free,
            "germans": len(germans), "partners": len(partners), "opts": self.model._meta,
            "title": _("Pairing assistant")})
    actions = [state_action(s) for s in (TandemState.ACTIVE, TandemState.ENDED,
                                         TandemState.DISSOLVED)]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("memberships__city")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = TandemCreateForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["programme", "german_city", "partner_city", "formed_on"]
        return ["programme", "state", "formed_on", "ended_on"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["programme", "state", "formed_on", "ended_on"]

    def get_inlines(self, request, obj):
        return [] if obj is None else [MembershipInline, TandemTopicInline]

    def save_model(self, request, obj, form, change):
        if change:
            return
        tandem = services.tandem_create(
            programme=form.cleaned_data["programme"],
            german_city=form.cleaned_data["german_city"],
            partner_city=form.cleaned_data["partner_city"], topics={},
            formed_on=form.cleaned_data["formed_on"])
        obj.pk = tandem.pk

    def save_formset(self, request, form, formset, change):
        if formset.model is not TandemTopic:
            return
        topics = {f.cleaned_data["topic"]: f.cleaned_data["lighthouse"] for f in formset.forms
                  if f.cleaned_data and not f.cleaned_data.get("DELETE")}
        try:
            services.tandem_set_topics(tandem=form.instance, topics=topics)
        except ValidationError as error:
            self.message_user(request, error.messages[0], messages.ERROR)


class MembershipAddForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["tandem", "city", "joined_on"]

    def clean(self):
        data = super().clean()
        if data.get("tandem") and data.get("city"):
            services.membership_check(tandem=data["tandem"], city=data["city"])
        return data


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    """Withdrawals and new partners; the history of every membership stays."""

    list_display = ["city", "tandem", "joined_on", "left_on"]
    list_filter = [("left_on", admin.EmptyFieldListFilter)]
    list_select_related = ["city", "tandem"]
    actions = ["withdraw"]
    form = MembershipAddForm

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["tandem", "city", "joined_on", "left_on"]

    def save_model(self, request, obj, form, change):
        if change:
            return
        membership = services.membership_add(tandem=obj.tandem, city=obj.city,
                                             joined_on=obj.joined_on)
        obj.pk = membership.pk

    @admin.action(description=_("Withdraw: end the selected memberships today"))
    def withdraw(self, request, queryset):
        for membership in queryset.filter(left_on=None):
            services.membership_end(membership=membership, left_on=timezone.localdate())


@admin.register(PairingRule)
class PairingRuleAdmin(admin.ModelAdmin):
    list_display = ["german_city", "partner_city", "kind", "note", "programme"]
    list_filter = ["kind"]
    autocomplete_fields = ["german_city", "partner_city"]
