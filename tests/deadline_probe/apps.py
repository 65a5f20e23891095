from django.apps import AppConfig


class DeadlineProbeConfig(AppConfig):
    name = "tests.deadline_probe"
    label = "deadline_probe"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from marketing_portal.deadlines import register_calendar_listener, register_deadline

        from .models import ProbeLedgerEntry, ProbeTask

        def reverse_charge(task, *, old, new):
            # As the commission ledger will: a charge posted under the old date is reversed by a new entry.
            for charge in task.ledger.filter(kind="charge", reversed_by__isnull=True):
                ProbeLedgerEntry.objects.create(task=task, kind="reversal", amount=-charge.amount,
                                                reverses=charge, note=f"{old}→{new}")

        register_deadline(
            ProbeTask, "due_on", label="试验截止日",
            is_open=lambda qs: qs.filter(done=False),
            notify=lambda task: [task.owner],
            on_change=reverse_charge,
            url=lambda task: f"/probe/{task.pk}/",
        )

        register_deadline(ProbeTask, "due_at", label="试验响应时限", is_open=lambda qs: qs.filter(done=False),
                          notify=lambda task: [task.owner])

        def recheck(*, first, last, reason):
            # As the receivables sweep will: records whose dates come from a rules core are marked for a re-check.
            ProbeTask.objects.filter(done=False, due_on__gte=first).update(recheck_from=first)

        register_calendar_listener(recheck)
