"""States and kinds of repair tickets (SPEC REP, 客户报修处理流程图)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    REPAIR = "repair", _("Repair")
    INSTALLATION = "installation", _("Installation question")
    COMPLAINT = "complaint", _("Complaint")
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    CALL = "call", _("Customer's call")
    SALES_RELAY = "sales_relay", _("Salesperson's relay")


class TicketState(models.TextChoices):
    """The flow chart, one box per state; every transition is a service."""

    NEW = "new", _("Waiting for a technician")           # 客服专员确认服务类别、记录客户信息、指派技术人员
    ASSIGNED = "assigned", _("Waiting for the phone response")   # 技术人员电话回应
    ONSITE_PENDING = "onsite_pending", _("On-site time to agree")  # 客服专员与客户沟通，确认上门时间
    DISPATCHED = "dispatched", _("Liaison sheet with the department")  # 相关部门负责人接单
    ONSITE = "onsite", _("On-site visit")                # 技术人员领取维修信息反馈单上门服务
    ANALYSIS = "analysis", _("Cause analysis with the department head")  # 分析原因，找出解决方案
    ESCALATED = "escalated", _("Escalated to the GM's Office")  # 汇报总经办，调配技术资源
    RESOLVED = "resolved", _("Solved: return call due")  # 客服专员记录、归档，回访电话确认
    ARCHIVED = "archived", _("Archived: supervisor's signature due")  # 维修中心主管审阅签字
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = (TicketState.NEW, TicketState.ASSIGNED, TicketState.ONSITE_PENDING, TicketState.DISPATCHED,
               TicketState.ONSITE, TicketState.ANALYSIS, TicketState.ESCALATED, TicketState.RESOLVED)
# Before the supervisor's signature the specialist may still cancel a mistaken ticket (a duplicate call).
CANCELLABLE_STATES = (TicketState.NEW, TicketState.ASSIGNED, TicketState.ONSITE_PENDING, TicketState.DISPATCHED)
# A complaint is answered at any time before the return call (REP-8 for complaints: answer + acceptance).
COMPLAINT_ANSWER_STATES = OPEN_STATES


class Warranty(models.TextChoices):
    IN = "in", _("In warranty")
    EXPIRED = "expired", _("Warranty expired")
    UNKNOWN = "unknown", _("Warranty unknown")


class Department(models.TextChoices):
    """Where the internal liaison sheet goes (REP-5); values are the org units' codes."""

    REPAIR = "repair", _("Repair Center")
    RND = "rnd", _("R&D")
    PRODUCTION = "production", _("Production")


class SheetState(models.TextChoices):
    ISSUED = "issued", _("Issued")
    ACCEPTED = "accepted", _("Accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class VisitState(models.TextChoices):
    OPEN = "open", _("On the way / on site")
    SOLVED = "solved", _("Solved")
    UNSOLVED = "unsolved", _("Not solved")


class Level(models.TextChoices):
    """The three service levels, each in working hours (policy)."""

    RESPONSE = "response", _("Phone response")
    VISIT = "visit", _("On-site visit")
    CLOSE = "close", _("Closure")


class AlertStage(models.TextChoices):
    HEAD = "head", _("Head of the person waited on")
    SUPERVISOR = "supervisor", _("Repair Center supervisor")
