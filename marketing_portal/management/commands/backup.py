from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from marketing_portal.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and every stored file into a new directory, with a manifest of checksums."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a new (or empty) directory for the backup")

    def handle(self, *args, path, **options):
        try:
            summary = backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("Backup written to %(path)s: %(tables)s tables, %(rows)s rows, %(files)s files "
                            "(%(bytes)s bytes).") % {"path": path, **vars(summary)})
