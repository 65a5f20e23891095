from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    """Sales reports, plans and targets, bids (SPEC RPT-2…4), to the right of contracts and the apps on it."""

    name = "planning"
    verbose_name = _("Plans, reports and bids")

    def ready(self):
        from marketing_portal import access
        from marketing_portal.registry import NavEntry, register_nav, register_work

        from . import rules, selectors  # noqa: F401  (rules registers the permissions)
        from .models import PlanStep, PlanVersion, ReportComment, SalesPlan, SalesReport, Target, Tender, TenderStep
        from .work import KINDS as WORK_KINDS

        access.register_visibility(SalesReport, selectors.reports_visible_to)
        access.register_visibility(ReportComment, selectors.report_comments_visible_to)
        access.register_visibility(SalesPlan, selectors.plans_visible_to)
        access.register_visibility(PlanVersion, selectors.plan_versions_visible_to)
        access.register_visibility(PlanStep, selectors.plan_steps_visible_to)
        access.register_visibility(Target, selectors.targets_visible_to)
        access.register_visibility(Tender, selectors.tenders_visible_to)
        access.register_visibility(TenderStep, selectors.tender_steps_visible_to)
        register_nav(NavEntry(label=_("Reports"), url_name="planning:reports", order=50,
                              visible=selectors.may_use_reports))
        register_nav(NavEntry(label=_("Plans and targets"), url_name="planning:plans", order=51,
                              visible=selectors.may_use_plans))
        register_nav(NavEntry(label=_("Bids"), url_name="planning:tenders", order=52,
                              visible=selectors.may_use_tenders))
        register_work(*WORK_KINDS)
