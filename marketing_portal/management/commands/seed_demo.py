"""Build (or bring up to date) the demo data of every app, in dependency order. Safe to run again."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Create the demo organisation, logins and records of every kind (idempotent)."

    def handle(self, *args, **options):
        # Each app may have a ``seed`` module with ``run(stdout)``; INSTALLED_APPS is in dependency order.
        for config in apps.get_app_configs():
            module_name = f"{config.name}.seed"
            if find_spec(config.name) is None or find_spec(module_name) is None:
                continue
            with transaction.atomic():
                import_module(module_name).run(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("demo data ready"))
