from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from .backup_directory import REBUILT_BY_MIGRATE


def _is_empty():
    """True when no table but those `migrate` fills holds a row."""
    for model in apps.get_models():
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        if model._meta.app_label in REBUILT_BY_MIGRATE or label in REBUILT_BY_MIGRATE:
            continue
        if model._meta.managed and not model._meta.proxy and model._default_manager.exists():
            return False
    return True


class Command(BaseCommand):
    help = (
        "Load a file written by backup_directory into an empty, migrated database "
        "(run `migrate` first). All or nothing: one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("input", help="File written by backup_directory")

    def handle(self, *args, input, **options):
        if not _is_empty():
            raise CommandError(
                "The database is not empty: restore only into a new, migrated database."
            )
        from programs import signals

        # The backup holds every search field as it was: restored verbatim, not rewritten
        # from a half-loaded program when loaddata sets its specialties.
        with signals.paused(), transaction.atomic():
            call_command("loaddata", input, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Directory restored from {input}"))
