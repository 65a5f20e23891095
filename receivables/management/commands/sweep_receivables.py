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
        prefix = "DRY RUN (nothing stored): " if dry_run else ""
        self.stdout.write(
            f"{prefix}as of {result.as_of}: {result.due} due, {result.assessed} assessed, "
            f"{result.entries} ledger entries ({result.reversals} reversals), {result.proposals} proposals, "
            f"{result.lift_proposals} lift proposals, {result.agreements} compensation agreements, "
            f"{result.statements} retention statements, {result.reminders} reminders, {result.notices} notices "
            f"in {result.seconds:.2f} s"
        )
