from django.utils import timezone
from django.utils.translation import gettext as _

from . import periods
from .access import has_role
from .registry import nav_for


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .notifications import unread_count

    context = {"nav_entries": nav_for(user), "unread_count": unread_count(user)}
    if user.has_perm("portal.add_calendarday") or has_role(user, "sysadmin"):
        # Deadlines reach up to a year ahead: warn while this or next year's calendar is unknown (CAL-2).
        this_year = timezone.localdate().year
        missing = [y for y in (this_year, this_year + 1) if not periods.year_is_covered(y)]
        if missing:
            context["calendar_warning"] = _(
                "The holiday calendar for %(years)s is not known yet: deadlines in those years count only "
                "weekends as rest days until the holidays and make-up working days are entered."
            ) % {"years": "、".join(str(y) for y in missing)}
    return context
