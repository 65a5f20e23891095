from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import CalendarDay
from .periods import invalidate_calendar_cache


@receiver([post_save, post_delete], sender=CalendarDay)
def _calendar_changed(sender, **kwargs):
    invalidate_calendar_cache()
