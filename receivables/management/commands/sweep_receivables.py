"""``python manage.py sweep_receivables [--as-of YYYY-MM-DD] [--dry-run]``: the daily sweep by hand (RCV-10)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("--as-of takes a date as YYYY-MM-DD, not “%(text)s”.") % {"text": text}) from None


class Command(BaseCommand):
    help = ("Bring every open receivable up to date: deadlines, commission deductions, forfeitures, proposals, "
            "compensation agreements, retention statements and reminders. Safe to run again.")

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=_day, default=None, help="assess as at the end of this day (default today)")
        parser.add_argument("--dry-run", action="store_true", help="show what would be done, change nothing")

    def handle(self, *args, as_of=None, dry_run=False, **options):
        from receivables.engine import sweep_receivables

        try:
            result = sweep_receivables(as_of=as_of, dry_run=dry_run)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        summary = _(
            "as of %(as_of)s: %(due)s due, %(assessed)s assessed, %(entries)s ledger entries (%(reversals)s "
            "reversals), %(proposals)s proposals, %(lift)s lift proposals, %(agreements)s compensation agreements, "
            "%(statements)s retention statements, %(reminders)s reminders, %(notices)s notices in %(seconds).2f s"
        ) % {
            "as_of": result.as_of, "due": result.due, "assessed": result.assessed, "entries": result.entries,
            "reversals": result.reversals, "proposals": result.proposals, "lift": result.lift_proposals,
            "agreements": result.agreements, "statements": result.statements, "reminders": result.reminders,
            "notices": result.notices, "seconds": result.seconds,
        }
        self.stdout.write(_("DRY RUN (nothing stored): %(summary)s") % {"summary": summary} if dry_run else summary)
