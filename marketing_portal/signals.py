from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .figures_cache import calendar_changed
from .models import CalendarDay, CalendarYear
from .periods import invalidate_calendar_cache


@receiver([post_save, post_delete], sender=CalendarDay)
@receiver([post_save, post_delete], sender=CalendarYear)
def _calendar_changed(sender, **kwargs):
    invalidate_calendar_cache()
    transaction.on_commit(calendar_changed)  # the other processes' snapshots: figures_cache.calendar_changed
