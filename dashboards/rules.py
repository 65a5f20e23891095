"""Who opens the managers' dashboard (SPEC RPT-1), built from ``org.rules``.

Every figure on it is read through the other apps' selectors, already narrowed to what the user may see
(X-2): the rule says who has the page, not what it shows.
"""

from __future__ import annotations

import rules

from org import rules as org

uses_dashboard = (org.is_marketing_leadership | org.is_executive | org.is_regional_manager | org.is_salesperson)

rules.add_perm("dashboards.use_dashboard", uses_dashboard)


def may_use_dashboard(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("dashboards.use_dashboard"))
