from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class ProbeTask(models.Model):
    """A record with a due date computed from the calendar (like a costing's due date)."""

    title = models.CharField(max_length=60)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField("due on")
    done = models.BooleanField(default=False)
    recheck_from = models.DateField(null=True, blank=True)  # set by the calendar listener
    due_at = models.DateTimeField("due at", null=True, blank=True)  # working hours (like a repair service level)
    history = HistoricalRecords()

    def __str__(self):
        return self.title


class ProbeLedgerEntry(models.Model):
    """An append-only ledger line (like a commission deduction) that a moved deadline reverses."""

    task = models.ForeignKey(ProbeTask, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(max_length=10)  # charge | reversal
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    note = models.CharField(max_length=60, blank=True)

    def __str__(self):
        return f"{self.kind} {self.amount}"
