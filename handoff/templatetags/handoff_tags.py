from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from marketing_portal.templatetags.calendar_marks import provisional_mark

register = template.Library()

TONES = {
    "costing": "warning", "review": "info", "negotiation": "primary", "contracting": "primary",
    "completed": "success", "cancelled": "light",
    "open": "warning", "submitted": "info", "returned": "danger", "accepted": "success",
    "current": "success", "superseded": "secondary",
}


@register.simple_tag
def handoff_badge(value, label):
    """A coloured badge for a hand-off, costing or decision state with its translated label."""
    return format_html('<span class="badge text-bg-{}">{}</span>', TONES.get(str(value), "secondary"), label)


@register.simple_tag
def due_badge(due_on, done_at=None, today=None):
    """The due date, red when overdue, green when done on time, amber when done late; “按暂定日历” beside it while
    its year's calendar is not confirmed (CAL-2)."""
    from django.utils import timezone

    if due_on is None:
        return ""
    today = today or timezone.localdate()
    text = due_on.strftime("%Y-%m-%d")
    if done_at is not None:
        on_time = timezone.localdate(done_at) <= due_on
        label = _("on time") if on_time else _("late")
        badge = format_html('<span class="badge text-bg-{}">{} · {}</span>', "success" if on_time else "warning",
                            text, label)
    elif due_on < today:
        badge = format_html('<span class="badge text-bg-danger">{} · {}</span>', text, _("overdue"))
    elif due_on == today:
        badge = format_html('<span class="badge text-bg-warning">{} · {}</span>', text, _("due today"))
    else:
        badge = format_html('<span class="badge text-bg-light">{}</span>', text)
    mark = provisional_mark(due_on)
    return format_html("{} {}", badge, mark) if mark else badge
