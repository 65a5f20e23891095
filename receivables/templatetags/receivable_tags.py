from django import template
from django.utils.html import format_html

register = template.Library()

TONES = {
    "awaiting_acceptance": "secondary", "invoicing": "warning", "collecting": "info", "warranty": "primary",
    "retention": "info", "settled": "success",
    "pending": "warning", "confirmed": "danger", "declined": "secondary", "withdrawn": "light",
    "required": "danger", "signed": "success", "cancelled": "light",
    "drafted": "warning", "issued": "info", "notified": "success",
    "approved": "success", "rejected": "secondary",
    "previewed": "info", "imported": "success",
    "none": "light", "may_suspend": "warning", "suspended": "danger",
}


@register.simple_tag
def rcv_badge(value, label):
    """A coloured badge for a receivables state with its translated label."""
    return format_html('<span class="badge text-bg-{}">{}</span>', TONES.get(str(value), "secondary"), label)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
