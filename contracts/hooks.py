"""Sections other apps add to the customer page (CUS-3: projects, receivables, repair tickets, return visits).

Apps to the right of contracts register in their ``ready()``::

    from contracts.hooks import register_customer_panel
    register_customer_panel(order=20, provider=lambda customer, user: ("项目", "receivables/_customer.html", {...}))

A provider returns ``(title, template_name, context)`` or ``None`` when it has nothing to show; it must
narrow its records to what ``user`` may see.
"""

from __future__ import annotations

from collections.abc import Callable

_panels: list[tuple[int, Callable]] = []


def register_customer_panel(*, provider: Callable, order: int = 100) -> None:
    if all(p is not provider for _o, p in _panels):
        _panels.append((order, provider))


def customer_panels(customer, user) -> list[dict]:
    panels = []
    for _order, provider in sorted(_panels, key=lambda item: item[0]):
        result = provider(customer, user)
        if result:
            title, template_name, context = result
            panels.append({"title": title, "template": template_name, "context": context})
    return panels
