"""The portal's form renderer: Django's own templates, with ``<select>``, ``<input>`` and ``<textarea>`` written
directly.

Django renders every ``<option>`` through a template include (about 0.1 ms each): the owner filter of a list with
300 people cost 30 ms of every list page. A plain select — Django's ``select.html`` with its standard
``select_option.html`` options — is written here in Python with the same markup and escaping; a widget with
templates of its own is rendered by Django as before. Likewise the inputs (Django's ``text.html``, ``date.html``…,
each only an include of ``input.html`` and its ``attrs.html``), the textarea, and a file field without a stored file
(``clearable_file_input.html`` is then its input alone): a contract page draws some forty fields, about 0.4 ms each
through the templates.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
TEXTAREA = "django/forms/widgets/textarea.html"
# A file field (``forms.FileField``'s widget): with no file yet, only its input (the rest is for a stored file).
CLEARABLE_FILE = "django/forms/widgets/clearable_file_input.html"
# Django's templates that are nothing but ``{% include "django/forms/widgets/input.html" %}``.
INPUTS = frozenset(f"django/forms/widgets/{name}.html" for name in (
    "input", "text", "number", "email", "url", "color", "search", "tel", "password", "hidden", "file", "date",
    "datetime", "time", "checkbox"))


def _attrs(attrs: dict) -> str:
    """As ``django/forms/widgets/attrs.html``: ``False`` left out, ``True`` as a bare name."""
    return "".join(f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
                   for name, value in attrs.items() if value is not False)


def select_html(widget: dict) -> str | None:
    """The markup of Django's select template for this widget context, or None when an option has its own
    template."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in options:
            if option["template_name"] != OPTION:
                return None
            parts.append(f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                         f'{conditional_escape(option["label"])}</option>\n')  # the option template's last newline
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 — every part above is escaped


def _text(value) -> str:
    """As ``{{ value|stringformat:'s' }}`` in an autoescaped template."""
    return conditional_escape(value if isinstance(value, str) else f"{value}")


def input_html(widget: dict) -> str:
    """The markup of Django's ``input.html`` for this widget context."""
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return mark_safe(  # noqa: S308 — every part is escaped
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"{value}'
        f'{_attrs(widget["attrs"])}>')


def textarea_html(widget: dict) -> str:
    """The markup of Django's ``textarea.html`` for this widget context."""
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return mark_safe(  # noqa: S308 — every part is escaped
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>')


class PortalFormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT:
            html = select_html(context["widget"])
            if html is not None:
                return html
        elif template_name in INPUTS:
            return input_html(context["widget"])
        elif template_name == TEXTAREA:
            return textarea_html(context["widget"])
        elif template_name == CLEARABLE_FILE and not context["widget"]["is_initial"]:
            return input_html(context["widget"])  # its value is None: a file input never shows one
        return super().render(template_name, context, request=request)
