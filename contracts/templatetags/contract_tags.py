from django import template
from django.utils.html import format_html

register = template.Library()

TONES = {
    "draft": "secondary", "leader_review": "info", "joint_review": "info", "gm_review": "info",
    "long_term_review": "info",
    "approved": "primary", "signed": "primary", "registered": "primary", "archived": "success", "filed": "success",
    "terminated": "dark", "cancelled": "light",
    "pending": "warning", "rejected": "danger", "waived": "light", "done": "success",
    "open": "warning", "objected": "info", "resolved": "success", "answered": "success",
    "requested": "warning", "lent": "info", "returned": "success", "refused": "danger",
    "confirmed": "success", "closed": "secondary",
}


@register.simple_tag
def state_badge(value, label):
    """A coloured badge for a state or status value with its translated label."""
    return format_html('<span class="badge text-bg-{}">{}</span>', TONES.get(str(value), "secondary"), label)


@register.filter
def short_hash(value):
    return (value or "")[:12]
