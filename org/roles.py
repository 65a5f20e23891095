"""Roles (one Django group each) and what each may do beyond seeing its own records (SPEC ORG-2, X-2).

A person's groups follow the positions they hold: each position carries one role.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MARKETING_DIRECTOR = "marketing_director", _("Marketing Director")
    MANAGEMENT_MANAGER = "management_manager", _("Management Manager")
    DIRECTOR_ASSISTANT = "director_assistant", _("Director's Assistant")
    SALES_MANAGER = "sales_manager", _("Sales Manager")
    REGIONAL_MANAGER = "regional_manager", _("Regional Manager")
    SALES_CLERK = "sales_clerk", _("Sales Clerk")
    DESIGN_CLERK = "design_clerk", _("Design Sales Clerk")
    SALESPERSON = "salesperson", _("Salesperson")
    CS_SPECIALIST = "cs_specialist", _("Customer-service Specialist")
    FINANCE_HEAD = "finance_head", _("Head of Finance")
    FINANCE_REVIEWER = "finance_reviewer", _("Finance Reviewer")
    LEGAL = "legal", _("Legal Counsel")
    ADMIN_HEAD = "admin_head", _("Head of Administration")
    ARCHIVIST = "archivist", _("Contract Archivist")
    GENERAL_MANAGER = "general_manager", _("General Manager")
    DEPUTY_GM = "deputy_gm", _("Deputy General Manager")
    XXX_HEAD = "xxx_head", _("Head of XXX")
    XXX_ESTIMATOR = "xxx_estimator", _("XXX Cost Estimator")
    XXX_NEGOTIATOR = "xxx_negotiator", _("XXX Contract Negotiator")
    REPAIR_SUPERVISOR = "repair_supervisor", _("Repair Center Supervisor")
    RND_HEAD = "rnd_head", _("Head of R&D")
    PRODUCTION_HEAD = "production_head", _("Head of Production")
    TECHNICIAN_REPAIR = "technician_repair", _("Repair Technician")
    TECHNICIAN_RND = "technician_rnd", _("R&D Technician")
    TECHNICIAN_PRODUCTION = "technician_production", _("Production Technician")
    SYSADMIN = "sysadmin", _("System Administrator")


# Role sets used by the visibility rules of several apps.
MARKETING_LEADERSHIP = frozenset(
    {Role.MARKETING_DIRECTOR, Role.MANAGEMENT_MANAGER, Role.DIRECTOR_ASSISTANT, Role.SALES_MANAGER}
)
MARKETING_OFFICE = MARKETING_LEADERSHIP | {Role.SALES_CLERK, Role.DESIGN_CLERK}
FINANCE = frozenset({Role.FINANCE_HEAD, Role.FINANCE_REVIEWER})
ADMINISTRATION = frozenset({Role.ADMIN_HEAD, Role.ARCHIVIST})
EXECUTIVES = frozenset({Role.GENERAL_MANAGER, Role.DEPUTY_GM})
XXX = frozenset({Role.XXX_HEAD, Role.XXX_ESTIMATOR, Role.XXX_NEGOTIATOR})
TECHNICIANS = frozenset({Role.TECHNICIAN_REPAIR, Role.TECHNICIAN_RND, Role.TECHNICIAN_PRODUCTION})

# Model permissions (app_label.codename) granted to each role's group, on top of object-level rules.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.SYSADMIN: [
        "portal.add_calendarday", "portal.delete_calendarday", "portal.add_policyversion",
        "portal.view_calendarday", "portal.view_policyversion", "portal.view_notification",
        *[f"org.{action}_{model}" for model in ("unit", "position", "duty", "region", "person", "delegation")
          for action in ("add", "change", "view")],
        "auth.add_user", "auth.change_user", "auth.view_user", "auth.view_group",
    ],
    Role.MANAGEMENT_MANAGER: ["portal.add_calendarday", "portal.delete_calendarday"],
    Role.ADMIN_HEAD: ["portal.add_calendarday", "portal.delete_calendarday"],
    Role.MARKETING_DIRECTOR: ["portal.add_policyversion", "org.add_delegation"],
    Role.FINANCE_HEAD: ["portal.add_policyversion"],
}
