"""The approval kernel: one machinery for every chain of approval steps (SPEC ORG-6, ORG-7, CON-6, RPT-3).

A workflow (the contract chain, sales plans…) keeps its own step model — built on ``ApprovalStepBase``
with its owner, its kinds and ``assignees`` — and describes itself once with a ``Chain``. The kernel
does the rest the same way for all of them:

* ``open_step`` — a step for the people the org chart names (``org.selectors.resolve``), notified
  together with whoever they delegated to; clerical steps go to another holder of the position when the
  submitter holds it too;
* ``principal_of`` / ``acts_on_own`` / ``may_act`` — who may decide it: an assignee or their delegate
  ("A 代 B", ``org.selectors.acting_for``), never someone deciding their own submission, delegated or not;
* ``pending_step`` / ``step_actor`` / ``check_hash`` — a decision checked against a stale page (the
  step id, still pending, the version, the hash of the content reviewed);
* ``close_step`` — closed with who, when, on whose behalf, the comment, the hash and the policy version;
  the history (django-simple-history on the step) says "A on behalf of B"; the step's "please handle" notices
  (to the assignees and their delegates) are done from then on, decided, withdrawn or cancelled alike.

Dependencies: only ``marketing_portal`` and ``org``; the apps to the right bring their own rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketing_portal.notifications import close_work_on_commit, notify_many, work_key
from marketing_portal.people import display_name

from .selectors import acting_for, delegates_of


class ApprovalError(ValidationError):
    """A step that may not be decided now, or not by this person (each workflow may subclass it)."""


class StepStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("Waiting")
    APPROVED = "approved", gettext_lazy("Approved")
    REJECTED = "rejected", gettext_lazy("Rejected")
    WAIVED = "waived", gettext_lazy("Waived")
    DONE = "done", gettext_lazy("Done")
    CANCELLED = "cancelled", gettext_lazy("Cancelled")


User = settings.AUTH_USER_MODEL


class ApprovalStepBase(models.Model):
    """What every approval step records (the concrete model adds its owner, ``version``, ``kind``, ``assignees``
    and ``history = HistoricalRecords(m2m_fields=[assignees])``, and ``step_constraints`` in its Meta)."""

    status = models.CharField(gettext_lazy("status"), max_length=10, choices=StepStatus.choices,
                              default=StepStatus.PENDING)
    opened_at = models.DateTimeField(gettext_lazy("waiting since"))
    decided_at = models.DateTimeField(gettext_lazy("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=gettext_lazy("decided by"))
    on_behalf_of = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=gettext_lazy("on behalf of"))
    comment = models.TextField(gettext_lazy("opinion"), blank=True)
    content_hash = models.CharField(gettext_lazy("hash of the version reviewed"), max_length=64, blank=True)
    policy_version = models.PositiveIntegerField(gettext_lazy("policy version"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_pending(self) -> bool:
        return self.status == StepStatus.PENDING


def step_constraints(prefix: str) -> list:
    """The invariants of every step, named ``<prefix>_decided_has_time`` and ``<prefix>_reject_has_comment``."""
    return [
        models.CheckConstraint(
            condition=Q(status=StepStatus.PENDING, decided_at__isnull=True)
            | ~Q(status=StepStatus.PENDING) & Q(decided_at__isnull=False),
            name=f"{prefix}_decided_has_time",
        ),
        models.CheckConstraint(condition=~Q(status=StepStatus.REJECTED) | ~Q(comment=""),
                               name=f"{prefix}_reject_has_comment"),
    ]


def stored(message, **params) -> str:
    """A text the portal keeps (a history reason, a step's comment, a notice): in the portal language, whoever
    acts. ``message`` is lazy (``gettext_lazy``); lazy parameters are rendered in the same language."""
    with translation.override(settings.LANGUAGE_CODE):
        text = str(message)
        return text % {key: str(value) for key, value in params.items()} if params else text


@dataclass(frozen=True)
class Chain:
    """What a workflow tells the kernel about its steps.

    * ``step_model`` — "app_label.Model" of the steps; ``owner_field`` — the step's FK to what is approved;
    * ``conflicted(owner)`` — ids of who may never decide its approvals (the submitter, the handler…);
    * ``clerical_kinds`` — steps where nothing is decided: a conflicted person does them when nobody else
      holds the position (the fact is recorded); ``owner_kinds`` — steps the owner does (signing);
    * ``kind_label(kind)`` — the step's name; ``is_current(step)`` — the step belongs to the version in review;
    * ``error`` — the exception raised; ``own_message`` — why deciding one's own submission is refused;
      ``own_code`` — its code; ``own_fact`` — the note on a clerical step done by a conflicted person
      (lazy, ``%(by)s``).
    """

    step_model: str
    owner_field: str
    conflicted: Callable[[object], set[int]]
    kind_label: Callable[[str], str]
    own_message: object
    own_fact: object = ""
    own_code: str = "own_submission"
    is_current: Callable[[object], bool] = lambda step: True
    clerical_kinds: tuple = ()
    owner_kinds: tuple = ()
    error: type[ApprovalError] = ApprovalError
    notice: object = field(default=gettext_lazy("%(title)s: %(step)s is waiting for you"))

    @property
    def model(self):
        return apps.get_model(self.step_model)

    def owner_of(self, step):
        return getattr(step, self.owner_field)


# --------------------------------------------------------------------------------------------------
# Who may decide
# --------------------------------------------------------------------------------------------------
def principal_of(user, step):
    """On whose behalf ``user`` may act on ``step`` (themselves or a delegating assignee), or None."""
    return acting_for(user, list(step.assignees.all()))


def only_conflicted_hold_the_position(chain: Chain, step) -> bool:
    """A clerical step whose only assignees are conflicted: they may do it themselves."""
    conflicted = chain.conflicted(chain.owner_of(step))
    return step.kind in chain.clerical_kinds and all(a.pk in conflicted for a in step.assignees.all())


def acts_on_own(chain: Chain, user, principal, step) -> bool:
    """``user`` (or the principal they act for) submitted or owns what the step decides, and the rule applies."""
    if step.kind in chain.owner_kinds:
        return False
    conflicted = chain.conflicted(chain.owner_of(step))
    if user.pk not in conflicted and principal.pk not in conflicted:
        return False
    return not only_conflicted_hold_the_position(chain, step)


def may_act(chain: Chain, user, step) -> bool:
    """The rule behind every "decide this step" button: pending, current, named (or delegated), not one's own."""
    if step.status != StepStatus.PENDING or not chain.is_current(step):
        return False
    principal = principal_of(user, step)
    return principal is not None and not acts_on_own(chain, user, principal, step)


# --------------------------------------------------------------------------------------------------
# Opening, checking, closing
# --------------------------------------------------------------------------------------------------
def open_step(chain: Chain, owner, kind: str, *, people: list, key: str, title: str, url: str, now=None,
              **fields):
    """Open a ``kind`` step on ``owner`` for ``people`` (from the org chart); they and their delegates are told
    after commit, once per ``key``. ``fields`` go on the step (``version=`` …)."""
    now = now or timezone.now()
    step = chain.model.objects.create(**{chain.owner_field: owner}, kind=kind, opened_at=now, **fields)
    if kind in chain.clerical_kinds:
        # Clerical work goes to another holder of the position when a conflicted person holds it too.
        others = [p for p in people if p.pk not in chain.conflicted(owner)]
        people = others or people
    if not people:
        raise chain.error(
            _("Nobody in the org chart is responsible for “%(step)s”; ask the administrator to fill the position.")
            % {"step": chain.kind_label(kind)}, code="nobody_responsible")
    step.assignees.set(people)
    recipients = people + delegates_of(people)
    subject = stored(chain.notice, title=title, step=chain.kind_label(kind))
    work = work_key(step)  # the notice is done as soon as the step closes, whoever closes it
    transaction.on_commit(lambda: notify_many(recipients=recipients, key=key, subject=subject, url=url, work=work))
    return step


def check_still_pending(chain: Chain, step) -> None:
    """Refuse a decision on a step that is no longer waiting (the page was out of date), saying what happened."""
    if step.status != StepStatus.PENDING:
        if step.decided_by_id:
            raise chain.error(
                _("This step was already decided: %(status)s by %(who)s at %(when)s. The page you used was out of "
                  "date; nothing was changed.") % {
                    "status": step.get_status_display(), "who": display_name(step.decided_by),
                    "when": timezone.localtime(step.decided_at).strftime("%Y-%m-%d %H:%M")}, code="already_decided")
        raise chain.error(_("This step is closed (%(status)s); nothing was changed.")
                          % {"status": step.get_status_display()}, code="step_closed")
    if not chain.is_current(step):
        raise chain.error(_("This version is no longer under review; nothing was changed."), code="stale_version")


def pending_step(chain: Chain, owner, *, kind: str, step_id: int | None, not_waiting: str, **current):
    """The step to decide, row-locked and checked against a stale form. Without ``step_id`` the step of ``kind``
    matching ``current`` (e.g. ``version=``) is taken; ``not_waiting`` is the message when there is none."""
    qs = chain.model.objects.select_for_update().filter(**{chain.owner_field: owner})
    step = qs.filter(pk=step_id).first() if step_id else qs.filter(kind=kind, **current).first()
    if step is None or (step_id and step.kind != kind):
        raise chain.error(not_waiting, code="not_waiting")
    setattr(step, chain.owner_field, owner)
    check_still_pending(chain, step)
    return step


def step_actor(chain: Chain, step, by):
    """The person ``by`` acts for on ``step`` (themselves or a delegating principal), or the chain's error saying
    why not. Marks ``step.done_by_conflicted`` for a clerical step a conflicted person does."""
    principal = principal_of(by, step)
    if principal is None:
        names = "、".join(display_name(u) for u in step.assignees.all()) or _("nobody")
        raise chain.error(
            _("You cannot act on “%(step)s”: it waits for %(names)s (or someone they delegated to).")
            % {"step": step.get_kind_display(), "names": names}, code="not_assigned"
        )
    if acts_on_own(chain, by, principal, step):
        raise chain.error(chain.own_message, code=chain.own_code)
    conflicted = chain.conflicted(chain.owner_of(step))
    step.done_by_conflicted = step.kind not in chain.owner_kinds and bool({by.pk, principal.pk} & conflicted)
    return principal


def check_hash(chain: Chain, current: str, submitted: str, *, message) -> str:
    """Content cannot change after submission without restarting the chain: ``current`` must equal ``submitted``."""
    if submitted and current != submitted:
        raise chain.error(message, code="changed_after_submission")
    return current


def close_step(chain: Chain, step, *, status: str, by=None, principal=None, comment: str = "", now=None,
               content_hash: str = "", policy_version: int | None = None) -> None:
    """Close ``step`` for good: who, when, on whose behalf ("A 代 B" in the history), the comment and the hash."""
    step.status = status
    step.decided_at = now or timezone.now()
    step.decided_by = by
    step.on_behalf_of = principal if principal is not None and by is not None and principal.pk != by.pk else None
    step.comment = comment
    step.content_hash = content_hash
    step.policy_version = policy_version
    reasons = []
    if step.on_behalf_of:
        reasons.append(stored(gettext_lazy("%(by)s on behalf of %(principal)s"), by=display_name(by),
                              principal=display_name(principal)))
    if getattr(step, "done_by_conflicted", False) and chain.own_fact:
        # Nobody else holds the position: the submitter did this clerical step, and it says so.
        fact = stored(chain.own_fact, by=display_name(by))
        step.comment = f"{step.comment}（{fact}）" if step.comment else fact
        reasons.append(fact)
    if reasons:
        step._change_reason = "；".join(reasons)[:100]
    step.save()
    close_work_on_commit(work_key(step))  # its "please handle" notices are done, for assignees and delegates


def cancel_pending(chain: Chain, owner, *, comment: str, now=None, **current) -> int:
    """Close every other step still waiting on ``owner`` (a rejection ends the round); returns how many."""
    closed = 0
    for other in chain.model.objects.select_for_update().filter(**{chain.owner_field: owner},
                                                                status=StepStatus.PENDING, **current):
        close_step(chain, other, status=StepStatus.CANCELLED, now=now, comment=comment)
        closed += 1
    return closed


def steps_waiting_for(chain: Chain, user):
    """Steps of the chain waiting for ``user`` as an assignee or as the delegate of one ("my work")."""
    from .selectors import active_delegations

    principals = list(active_delegations().filter(delegate=user).values_list("principal_id", flat=True))
    return (chain.model.objects.filter(status=StepStatus.PENDING)
            .filter(Q(assignees=user) | Q(assignees__in=principals)).distinct())


# --------------------------------------------------------------------------------------------------
# The route before and during approval, and withdrawing a submission (撤回)
# --------------------------------------------------------------------------------------------------
@dataclass
class RouteStop:
    """One stop of a route as the page shows it: who the org chart names today (and who acts for them), and,
    once the step is open, its status, who decided and when."""

    kind: str
    label: str
    people: list
    delegates: dict  # principal pk -> [users acting for them today]
    step: object | None = None
    note: str = ""

    @property
    def status(self) -> str:
        return self.step.status if self.step is not None else "planned"

    @property
    def acting(self) -> list:
        """(person, [their delegates today]) for every person named."""
        return [(p, self.delegates.get(p.pk, [])) for p in self.people]


def route(chain: Chain, planned, steps=()) -> list[RouteStop]:
    """The route of an approval: ``planned`` is ``[(kind, people, note), …]`` in order (who the org chart names
    today, ``resolve``); ``steps`` are the steps of the round under way. A stop whose step is open shows that
    step (its assignees are the people named when it opened); the rest show who will decide, with the
    delegations in force today (ORG-7), so the submitter sees the whole route before submitting."""
    from .selectors import active_delegations

    by_kind = {s.kind: s for s in steps}
    planned = list(planned)
    stops = []
    for kind, people, note in planned:
        step = by_kind.pop(kind, None)
        if step is not None and step.status != StepStatus.WAIVED:
            people = list(step.assignees.all())
        stops.append(RouteStop(kind=kind, label=str(chain.kind_label(kind)), people=list(people), delegates={},
                               step=step, note=note))
    # Steps the plan does not foresee any more (the policy changed after they opened) still show.
    for step in by_kind.values():
        stops.append(RouteStop(kind=step.kind, label=str(chain.kind_label(step.kind)),
                               people=list(step.assignees.all()), delegates={}, step=step))
    ids = {p.pk for stop in stops for p in stop.people}
    delegations = active_delegations().filter(principal_id__in=ids).select_related("delegate__person")
    acting: dict[int, list] = {}
    for delegation in delegations:
        acting.setdefault(delegation.principal_id, []).append(delegation.delegate)
    for stop in stops:
        stop.delegates = {p.pk: acting[p.pk] for p in stop.people if p.pk in acting}
    return stops


DECIDED = (StepStatus.APPROVED, StepStatus.REJECTED, StepStatus.DONE)


def first_decision(chain: Chain, owner, **current):
    """The first step of the round under way that somebody decided, or None (nothing decided yet)."""
    return (chain.model.objects.filter(**{chain.owner_field: owner}, status__in=DECIDED, **current)
            .select_related("decided_by").order_by("decided_at", "pk").first())


def withdraw_round(chain: Chain, owner, *, by, reason: str = "", now=None, **current) -> int:
    """The submitter takes a submission back (撤回) before anybody decided a step of the round: every waiting
    step is cancelled with the reason; the app returns its record to a draft. Returns how many steps closed.

    Raises the chain's error once someone decided: from then on only a rejection sends it back."""
    decided = first_decision(chain, owner, **current)
    if decided is not None:
        raise chain.error(
            _("It can no longer be withdrawn: %(who)s already decided “%(step)s” at %(when)s.") % {
                "who": display_name(decided.decided_by), "step": chain.kind_label(decided.kind),
                "when": timezone.localtime(decided.decided_at).strftime("%Y-%m-%d %H:%M")}, code="already_decided")
    comment = stored(gettext_lazy("withdrawn by %(by)s: %(reason)s"), by=display_name(by), reason=reason.strip()) \
        if reason.strip() else stored(gettext_lazy("withdrawn by %(by)s"), by=display_name(by))
    return cancel_pending(chain, owner, comment=comment, now=now, **current)
