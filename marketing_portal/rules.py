"""Permission rules of the shared shell (django-rules): who keeps the working-day calendar.

The people who may enter calendar days (model permission ``portal.add_calendarday``, given to the system
administrator, the Management Manager and the Head of Administration by ``org.roles``) keep the
calendar: they enter a year at once and confirm it against the State Council's notice, and they see
the banner while a year in use is not confirmed.
"""

import rules


@rules.predicate
def keeps_the_calendar(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm("portal.add_calendarday")


rules.add_perm("portal.enter_calendaryear", keeps_the_calendar)
rules.add_perm("portal.confirm_calendaryear", keeps_the_calendar)
