"""Sections other apps add to the customer page (CUS-3: projects, receivables, repair tickets, return visits)
and to the contract page (its hand-offs, its project).

Apps to the right of contracts register in their ``ready()``::

    from contracts.hooks import register_contract_panel, register_customer_panel
    register_customer_panel(order=20, provider=lambda customer, user: ("项目", "receivables/_customer.html", {...}))

A provider returns ``(title, template_name, context)`` or ``None`` when it has nothing to show; it must
narrow its records to what ``user`` may see. The template is rendered with that context.
"""

from __future__ import annotations

from collections.abc import Callable

from django.template.loader import render_to_string


class Panels:
    """Providers of one page's extra sections, in order."""

    def __init__(self):
        self._providers: list[tuple[int, Callable]] = []

    def register(self, *, provider: Callable, order: int = 100) -> None:
        if all(p is not provider for _o, p in self._providers):
            self._providers.append((order, provider))

    def render(self, obj, user, request=None) -> list[dict]:
        panels = []
        for _order, provider in sorted(self._providers, key=lambda item: item[0]):
            result = provider(obj, user)
            if result:
                title, template_name, context = result
                panels.append({"title": title, "html": render_to_string(template_name, context, request=request)})
        return panels


_customer_panels = Panels()
_contract_panels = Panels()


def register_customer_panel(*, provider: Callable, order: int = 100) -> None:
    _customer_panels.register(provider=provider, order=order)


def register_contract_panel(*, provider: Callable, order: int = 100) -> None:
    _contract_panels.register(provider=provider, order=order)


def customer_panels(customer, user, request=None) -> list[dict]:
    return _customer_panels.render(customer, user, request)


def contract_panels(contract, user, request=None) -> list[dict]:
    return _contract_panels.render(contract, user, request)


# The acceptance date of a contract's project (the warranty of repair tickets starts there, REP-2). The
# receivables app, which keeps projects, answers; apps that need the date ask here, never receivables itself.
_acceptance_providers: list[Callable] = []


def register_acceptance_provider(provider: Callable) -> None:
    """``provider(contract) -> date | None``: the date the contract's work was accepted, if known."""
    if provider not in _acceptance_providers:
        _acceptance_providers.append(provider)


def accepted_on(contract):
    """The first acceptance date a provider knows for ``contract``, or None."""
    for provider in _acceptance_providers:
        day = provider(contract)
        if day:
            return day
    return None
