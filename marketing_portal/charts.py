"""Chart specifications for ``static/js/charts.js`` (Apache ECharts), built by the views.

A page renders ``<div class="portal-chart" data-chart="ID"></div>`` and ``{{ spec|json_script:"ID" }}`` and
loads ``vendor/echarts.min.js`` then ``js/charts.js``: no inline script (the production CSP forbids it).
Amounts are sent as numbers of yuan (the chart only draws them; tables and exports keep the Decimals).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _


def number(value):
    """A Decimal / int / None as a JSON number (None stays None: no value, not zero)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


def axis(name: str, fmt: str = "count") -> dict:
    """``fmt``: ``yuan``, ``percent``, ``count``, ``hours`` or ``score``."""
    return {"name": str(name), "format": fmt}


def series(name: str, data, *, kind: str = "bar", axis_index: int = 0, links=None) -> dict:
    return {"name": str(name), "type": kind, "axis": axis_index, "data": [number(v) for v in data],
            "links": list(links) if links is not None else None}


def chart(title: str, categories, series_list, *, axes=None, kind: str = "bar", horizontal: bool = False,
          stack: bool = False, empty: str | None = None) -> dict:
    return {"title": str(title), "kind": kind, "categories": [str(c) for c in categories],
            "series": list(series_list), "axes": list(axes or [axis("")]), "horizontal": horizontal,
            "stack": stack, "empty": str(empty if empty is not None else _("No data for the chosen period."))}
