from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from applications.enums import TopicRole
from programme.lands import LANDS
from programme.models import Topic


class CallFilter(admin.RelatedOnlyFieldListFilter):
    """The calls that have applications, named with their programme in one query."""

    def field_choices(self, field, request, model_admin):
        from applications.models import Call

        used = model_admin.get_queryset(request).values("call")
        return [(call.pk, str(call)) for call in
                Call.objects.filter(pk__in=used).select_related("programme")
                .order_by("-closes_at", "pk")]


class LandFilter(admin.SimpleListFilter):
    title = _("Land")
    parameter_name = "land"

    def lookups(self, request, model_admin):
        return list(LANDS.items())

    def queryset(self, request, queryset):
        if self.value() in LANDS:
            return queryset.filter(city__ags__startswith=self.value())
        return queryset


class TopicFilter(admin.SimpleListFilter):
    title = _("topic")
    parameter_name = "topic"

    def lookups(self, request, model_admin):
        return [(t.slug, t.name) for t in Topic.objects.all()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(topic_interests__topic__slug=self.value()).distinct()
        return queryset


class RoleFilter(admin.SimpleListFilter):
    title = _("role preference")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return TopicRole.choices

    def queryset(self, request, queryset):
        if self.value() in TopicRole.values:
            return queryset.filter(topic_interests__role=self.value()).distinct()
        return queryset


class VerifiedContactFilter(admin.SimpleListFilter):
    title = _("verified contact")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        verified = {"city__contacts__verified_at__isnull": False}
        if self.value() == "yes":
            return queryset.filter(**verified).distinct()
        if self.value() == "no":
            return queryset.exclude(**verified)
        return queryset
