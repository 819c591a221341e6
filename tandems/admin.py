from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from applications.formatting import german_time
from core.admin import DeleteGuard, HistoryAdmin, keep_on_record
from programme.models import City, Programme, Topic
from tandems import services
from tandems.enums import MeetingStatus, TandemState
from tandems.forms import MeetingCheckMixin, link_field
from tandems.models import (
    LIGHTHOUSE_TO_BE_AGREED,
    Meeting,
    MeetingDocument,
    Membership,
    PairingRule,
    Tandem,
    TandemTopic,
)
from tandems.pairing import best_pairs
from tandems.selectors import meeting_places, pairing_input, pairing_rules

# What the admin never deletes (core.admin.keep_on_record): the tandems' history stays.
keep_on_record(Tandem, instead=_("mark it as ended or dissolved instead; its members, "
                                 "meetings and history stay."))
keep_on_record(Membership, instead=_("withdraw the city instead (action “Withdraw”): the "
                                     "membership ends and stays in the tandem's history."))
keep_on_record(Meeting, instead=_("cancel it instead: a cancelled meeting frees its place in "
                                  "the year and stays in the tandem's history."))


def places_text(tandem) -> str:
    """ "2022: 1 of 2 left · 2023: 0 of 2 left · …" for a tandem's admin pages."""
    return " · ".join(
        _("%(year)s: %(left)s of %(max)s left") % {"year": p.year, "left": p.left, "max": p.max}
        for p in meeting_places(tandem, tandem.meetings.all()))


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
        if all(data.get(k) for k in ("programme", "german_city", "partner_city", "formed_on")):
            services.tandem_check(programme=data["programme"], german_city=data["german_city"],
                                  partner_city=data["partner_city"],
                                  formed_on=data["formed_on"])
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
    """Each topic's lighthouse: one of the current members, or "to be agreed" (empty)."""

    model = TandemTopic
    extra = 1

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # The form class is made afresh for this request, so changing its field is safe.
        field = formset.form.base_fields["lighthouse"]
        field.queryset = City.objects.filter(
            memberships__tandem=obj, memberships__left_on=None).order_by("name")
        field.empty_label = LIGHTHOUSE_TO_BE_AGREED
        field.widget.can_add_related = field.widget.can_change_related = False
        field.widget.can_delete_related = field.widget.can_view_related = False
        return formset


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
class TandemAdmin(DeleteGuard, HistoryAdmin):
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
        # Each pair's proposed lighthouse per topic, by the topic's name (not its slug).
        names = {topic.slug: topic.name for topic in Topic.objects.all()}
        rows = [(pair, [(names.get(slug, slug),
                         pair.german.name if lead == "german" else pair.partner.name)
                        for slug, lead in pair.lighthouses.items()]) for pair in pairs]
        return TemplateResponse(request, "admin/tandems/suggestions.html", {
            **self.admin_site.each_context(request), "pairs": pairs, "rows": rows, "free": free,
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

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["programme", "state", "formed_on", "ended_on", "places"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["programme", "german_city", "partner_city", "formed_on"]
        return ["programme", "state", "formed_on", "ended_on", "places"]

    @admin.display(description=_("Meeting places left"))
    def places(self, obj):
        return places_text(obj)

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
        # The services write the rows (the memberships inline is read-only), so the admin's
        # change message names no inline rows; the models' history keeps every change.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is not TandemTopic:
            return
        topics = {f.cleaned_data["topic"]: f.cleaned_data["lighthouse"] for f in formset.forms
                  if f.cleaned_data and not f.cleaned_data.get("DELETE")}
        try:
            services.tandem_set_topics(tandem=form.instance, topics=topics)
        except ValidationError as error:
            self.message_user(request, error.messages[0], messages.ERROR)


# Refusals that are about the join date, shown at that field.
JOIN_DATE_CODES = {"join_future", "join_before_formed", "pair", "city_taken"}


class MembershipAddForm(forms.ModelForm):
    """A new partner joins a tandem; the rule is checked here for a clear message at the
    join date, and again by the service under the locks when it saves."""

    class Meta:
        model = Membership
        fields = ["tandem", "city", "joined_on"]

    def clean(self):
        data = super().clean()
        if all(data.get(k) for k in ("tandem", "city", "joined_on")):
            try:
                services.membership_check(tandem=data["tandem"], city=data["city"],
                                          joined_on=data["joined_on"])
            except ValidationError as error:
                self.add_error("joined_on" if error.code in JOIN_DATE_CODES else None, error)
        return data


class WithdrawForm(forms.Form):
    """The last day of the withdrawing cities in their tandems: today or earlier."""

    left_on = forms.DateField(
        label=_("Last day in the tandem"),
        help_text=_("The city is a member up to and including this day; a new partner can "
                    "join from the next day. Not after today, not before the city joined, "
                    "and not before a meeting it hosts."),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, initial={"left_on": today}, **kwargs)
        self.fields["left_on"].widget.attrs["max"] = today.isoformat()


@admin.register(Membership)
class MembershipAdmin(DeleteGuard, HistoryAdmin):
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

    @admin.action(description=_("Withdraw: end the selected memberships …"))
    def withdraw(self, request, queryset):
        """Ask for the last day (today by default), then end each membership via the service."""
        today = german_time(timezone.now()).date()
        form = WithdrawForm(request.POST if "apply" in request.POST else None, today=today)
        if form.is_bound and form.is_valid():
            ended, refused = 0, []
            for membership in queryset.select_related("city"):
                try:
                    services.membership_end(membership=membership,
                                            left_on=form.cleaned_data["left_on"])
                    ended += 1
                except ValidationError as error:
                    refused.append(f"{membership.city.name} ({membership.tandem}): "
                                   f"{error.messages[0]}")
            self.message_user(request, ngettext(
                "%(count)d membership ended.", "%(count)d memberships ended.", ended) % {
                "count": ended}, messages.SUCCESS if ended else messages.WARNING)
            for text in refused:
                self.message_user(request, text, messages.ERROR)
            return None
        return TemplateResponse(request, "admin/tandems/withdraw.html", {
            **self.admin_site.each_context(request), "form": form,
            "queryset": queryset.select_related("city").prefetch_related(
                "tandem__memberships__city"),
            "opts": self.model._meta, "title": _("Withdraw from the tandem"),
        }, status=400 if form.is_bound else 200)


@admin.register(PairingRule)
class PairingRuleAdmin(DeleteGuard, admin.ModelAdmin):
    list_display = ["german_city", "partner_city", "kind", "note", "programme"]
    list_filter = ["kind"]
    autocomplete_fields = ["german_city", "partner_city"]


class MeetingAdminForm(MeetingCheckMixin, forms.ModelForm):
    link = link_field()

    class Meta:
        model = Meeting
        fields = ["tandem", "title", "starts_at", "ends_at", "format", "host", "place", "link",
                  "agenda", "participants"]

    def clean(self):
        data = super().clean()
        self.check_meeting(data.get("tandem") or getattr(self.instance, "tandem", None), data)
        return data


class MeetingDocumentInline(admin.TabularInline):
    model = MeetingDocument
    extra = 0
    fields = ["kind", "download", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False  # deleting a row here would leave its file behind

    def has_add_permission(self, request, obj=None):
        return False  # uploads go through the members' meeting page, which checks the file

    @admin.display(description=_("file"))
    def download(self, obj):
        if obj.pk is None:  # a row a tampered post made up: no file to link to
            return "–"
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.name)


def status_action(status, description):
    def action(modeladmin, request, queryset):
        for meeting in queryset.select_related("tandem"):
            try:
                services.meeting_set_status(meeting=meeting, status=status)
            except ValidationError as error:
                modeladmin.message_user(request, f"{meeting}: {error.messages[0]}",
                                        messages.ERROR)

    action.__name__ = f"mark_{status}"
    return admin.action(description=description)(action)


@admin.register(Meeting)
class MeetingAdmin(DeleteGuard, HistoryAdmin):
    """Staff plan and correct meetings; the yearly cap holds here as on the members' pages."""

    form = MeetingAdminForm
    list_display = ["title", "tandem_name", "starts_at", "format", "host", "status"]
    list_filter = ["status", "format", "year", "tandem__programme"]
    search_fields = ["title", "tandem__memberships__city__name"]
    date_hierarchy = "starts_at"
    inlines = [MeetingDocumentInline]
    actions = [status_action(MeetingStatus.HELD, _("Mark the selected meetings as held")),
               status_action(MeetingStatus.CANCELLED, _("Cancel the selected meetings")),
               status_action(MeetingStatus.PLANNED, _("Plan the selected meetings again"))]

    autocomplete_fields = ["host"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("host").prefetch_related(
            "tandem__memberships__city")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "tandem":  # each option's label names both cities
            kwargs["queryset"] = Tandem.objects.prefetch_related("memberships__city")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["tandem", "status", "places"]

    def get_fields(self, request, obj=None):
        fields = list(MeetingAdminForm.Meta.fields)
        return fields if obj is None else [*fields, "status", "places"]

    @admin.display(description=_("tandem"), ordering="tandem")
    def tandem_name(self, obj):
        return str(obj.tandem)

    @admin.display(description=_("Meeting places left"))
    def places(self, obj):
        return places_text(obj.tandem)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.MEETING_FIELDS}
        if change:
            services.meeting_update(meeting=obj, **fields)
        else:
            obj.pk = services.meeting_create(tandem=form.cleaned_data["tandem"],
                                             created_by=request.user, **fields).pk
