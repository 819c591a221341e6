"""Staff announce network events and see, and export, who comes.

Saving goes through ``events.services``, so raising the places moves the waiting list up
(with a mail to each person) exactly as an unregistration does.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import DeleteGuard, ReadOnlyTabularInline, keep_on_record
from events import exports, services
from events.enums import RegistrationStatus
from events.forms import EventAdminForm
from events.models import Event, Registration
from events.selectors import with_counts

# What the admin never deletes (core.admin.keep_on_record): who came stays on record.
keep_on_record(Registration, instead=_(
    "people unregister on the event's page, which moves the waiting list up."))
keep_on_record(Event, when=lambda event: event.registrations.exists(), instead=_(
    "people have registered for it. Change the event instead and tell them; it stays on "
    "record with their registrations."))


class RegistrationInline(ReadOnlyTabularInline):
    """Who registered: the confirmed first, then the waiting list in its order. Read only:
    people register and unregister themselves, so that the waiting list moves up."""

    model = Registration
    fields = ["person", "email", "city", "status", "waiting_since", "created_at"]

    def get_queryset(self, request):
        return (super().get_queryset(request).select_related("user", "city")
                .annotate(rank=Case(When(status=RegistrationStatus.CONFIRMED, then=Value(0)),
                                    When(status=RegistrationStatus.WAITING, then=Value(1)),
                                    default=Value(2), output_field=IntegerField()))
                .order_by("rank", "waiting_since", "created_at", "pk"))

    @admin.display(description=_("person"))
    def person(self, obj):
        return obj.user.name or obj.user.email

    @admin.display(description=_("e-mail"))
    def email(self, obj):
        return obj.user.email


@admin.register(Event)
class EventAdmin(DeleteGuard, admin.ModelAdmin):
    form = EventAdminForm
    list_display = ["title", "starts_at", "kind", "format", "capacity", "confirmed",
                    "waiting", "registration_closes_at"]
    list_filter = ["kind", "format", "programme"]
    search_fields = ["title", "place"]
    date_hierarchy = "starts_at"
    inlines = [RegistrationInline]
    actions = ["export_csv", "export_xlsx"]
    readonly_fields = ["participant_list"]

    def get_queryset(self, request):
        return with_counts(super().get_queryset(request))

    def get_fields(self, request, obj=None):
        fields = list(EventAdminForm.Meta.fields)
        return fields if obj is None else [*fields, "participant_list"]

    @admin.display(description=_("registered"), ordering="confirmed_count")
    def confirmed(self, obj):
        return obj.confirmed_count

    @admin.display(description=_("waiting"), ordering="waiting_count")
    def waiting(self, obj):
        return obj.waiting_count

    @admin.display(description=_("participant list"))
    def participant_list(self, obj):
        return format_html(
            '<a href="{}">CSV</a> · <a href="{}">Excel (XLSX)</a>',
            reverse("admin:events_event_participants", args=[obj.pk, "csv"]),
            reverse("admin:events_event_participants", args=[obj.pk, "xlsx"]))

    def get_urls(self):
        return [path("<int:pk>/participants.<str:fmt>", self.admin_site.admin_view(
            self.participants_view), name="events_event_participants"), *super().get_urls()]

    def participants_view(self, request, pk, fmt):
        event = self.get_object(request, str(pk))
        if event is None or not self.has_view_permission(request, event) or fmt not in (
                "csv", "xlsx"):
            raise Http404
        return exports.participants_response(Event.objects.filter(pk=event.pk), fmt,
                                             name=f"participants-event-{event.pk}")

    @admin.action(description=_("Export the participant lists (CSV)"))
    def export_csv(self, request, queryset):
        return exports.participants_response(queryset, "csv")

    @admin.action(description=_("Export the participant lists (Excel)"))
    def export_xlsx(self, request, queryset):
        return exports.participants_response(queryset, "xlsx")

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in EventAdminForm.Meta.fields}
        try:
            if change:
                event, promoted = services.event_update(event=obj, **fields)
            else:
                event, promoted = services.event_create(**fields), []
        except ValidationError as error:  # the form ran the same checks; a race is left
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        obj.pk = event.pk
        if promoted:
            self.message_user(request, ngettext(
                "%(count)d person moved up from the waiting list and has been told by e-mail.",
                "%(count)d people moved up from the waiting list and have been told by e-mail.",
                len(promoted)) % {"count": len(promoted)})
