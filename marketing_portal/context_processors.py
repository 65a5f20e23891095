from django.utils import timezone
from django.utils.translation import gettext as _

from . import periods
from .registry import nav_for


def calendar_warnings(*, today) -> list[tuple[int, str]]:
    """``(year, message)`` for each year the administrators must still confirm (CAL-2), ascending.

    This year; from 1 November the following one; any later year a stored deadline falls in or with
    entered days — each until the package covers it or someone with the right confirms it.
    """
    from .deadlines import years_in_use

    warnings = []
    for year in periods.years_to_confirm(today=today, years_in_use=years_in_use(since=today.year)):
        status = periods.year_status(year)
        if status == periods.YEAR_PROVISIONAL:
            message = _(
                "The holiday arrangement for %(year)s is not confirmed yet: deadlines in %(year)s count the "
                "statutory holidays provisionally (no make-up working days) until the State Council's notice is "
                "entered and the year confirmed."
            )
        elif status == periods.YEAR_ENTERED:
            message = _(
                "The holiday arrangement for %(year)s is entered but not confirmed against the State Council's "
                "notice: its deadlines are still shown as provisional."
            )
        else:
            message = _(
                "The holiday arrangement for %(year)s is not known: deadlines in %(year)s count only weekends as "
                "rest days until the holidays and make-up working days are entered."
            )
        warnings.append((year, message % {"year": year}))
    return warnings


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Once a request: a page that renders sections of other apps with the request (the contract and customer
    # pages' panels, for their forms' CSRF token) ran this for each of them — three unread counts a contract page.
    cached = getattr(request, "_portal_context", None)
    if cached is not None:
        return cached
    from .notifications import unread_count

    context = {"nav_entries": nav_for(user), "unread_count": unread_count(user)}
    if user.has_perm("portal.see_calendar_warnings"):
        context["calendar_warnings"] = calendar_warnings(today=timezone.localdate())
    request._portal_context = context
    return context
