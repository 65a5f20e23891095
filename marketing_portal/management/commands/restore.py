from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from marketing_portal.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup (manage.py backup) into an empty database and file store, checking its manifest."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup directory")

    def handle(self, *args, path, **options):
        try:
            summary = restore(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("Restored from %(path)s and checked: %(tables)s tables, %(rows)s rows, %(files)s "
                            "files (%(bytes)s bytes).") % {"path": path, **vars(summary)})
