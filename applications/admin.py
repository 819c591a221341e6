from django.contrib import admin

from applications.models import Call


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["__str__", "opens_at", "closes_at", "is_practice"]
    list_filter = ["is_practice", "programme"]
    list_select_related = ["programme"]
