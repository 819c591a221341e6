from django import template

from applications import formatting

register = template.Library()


@register.filter
def deadline(moment):
    return formatting.deadline_text(moment) if moment else ""


@register.filter
def deadline_date(moment):
    return formatting.deadline_date(moment) if moment else ""
