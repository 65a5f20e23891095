"""``manage.py calendar_import PATH``: enter years of the working-day calendar from a CSV or Excel file.

The file has the header ``date,kind,name``; ``kind`` is ``holiday`` (a rest day) or ``workday`` (a make-up
working day on a weekend). For every year the file names, its days become that year's entered days
(replacing what was entered before, and the provisional statutory days). All years are stored or none;
the command prints what it changed, and running it again with the same file changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from marketing_portal.calendar_input import kind_label, parse_table
from marketing_portal.models import CalendarImport
from marketing_portal.services import calendar_year_import


class Command(BaseCommand):
    help = "Enter the holidays and make-up working days of whole years from a CSV/Excel file (date,kind,name)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV (UTF-8 or GBK) or .xlsx file with the header date,kind,name")
        parser.add_argument("--year", type=int, help="refuse any row outside this year")
        parser.add_argument("--by", help="user name recorded as having entered the days (default: none)")
        parser.add_argument("--dry-run", action="store_true", help="print what would change, store nothing")

    def handle(self, *args, path, year=None, by=None, dry_run=False, **options):
        translation.activate(settings.LANGUAGE_CODE)
        file = Path(path)
        if not file.is_file():
            raise CommandError(_("%(path)s is not a file.") % {"path": path})
        user = None
        if by:
            user = get_user_model().objects.filter(username=by, is_active=True).first()
            if user is None:
                raise CommandError(_("No active user %(name)s.") % {"name": by})
        data = file.read_bytes()
        try:
            days = parse_table(data, file.name, year=year)
            by_year = defaultdict(list)
            for entry in days:
                by_year[entry.day.year].append(entry)
            with transaction.atomic():
                results = [
                    calendar_year_import(
                        year=y, days=rows, by=user, source=CalendarImport.Source.COMMAND, file_name=file.name,
                        text=data.decode("utf-8", "replace") if file.suffix.lower() == ".csv" else "",
                    )
                    for y, rows in sorted(by_year.items())
                ]
                if dry_run:
                    transaction.set_rollback(True)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        for changes in results:
            self._report(changes, dry_run=dry_run)

    def _report(self, changes, *, dry_run: bool) -> None:
        if not changes.count:
            self.stdout.write(_("%(year)s: unchanged (%(n)s days already entered).")
                              % {"year": changes.year, "n": len(changes.unchanged)})
            return
        template = _("%(year)s: %(added)s added, %(changed)s changed, %(removed)s removed%(dry)s.")
        self.stdout.write(template % {
            "year": changes.year, "added": len(changes.added), "changed": len(changes.changed),
            "removed": len(changes.removed), "dry": _(" (dry run, nothing stored)") if dry_run else "",
        })
        for day, kind, name, change, _previous in changes.table:
            if change == "unchanged":
                continue
            sign = {"added": "+", "changed": "~", "removed": "-"}[change]
            self.stdout.write(f"  {sign} {day.isoformat()} {kind_label(kind)} {name}".rstrip())
