"""Sortable column headers for the lists built on ``marketing_portal.lists`` (``{% load lists %}``)."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label: str, css: str = ""):
    """``<th>`` whose link sorts by ``key`` (ascending first, then descending), keeping the filter in the URL."""
    request = context["request"]
    current = request.GET.get("sort", "")
    query = request.GET.copy()
    query.pop("page", None)
    query["sort"] = f"-{key}" if current == key else key
    if current == key:
        arrow, aria = "▲", "ascending"
    elif current == f"-{key}":
        arrow, aria = "▼", "descending"
    else:
        arrow, aria = "", "none"
    return format_html(
        '<th class="{}" aria-sort="{}"><a class="sort-link link-body-emphasis text-decoration-none" '
        'href="?{}" title="{}" data-sort="{}">{}<span class="sort-arrow">{}</span></a></th>',
        css, aria, query.urlencode(), _("Sort by %(column)s") % {"column": label}, key, label, arrow)
