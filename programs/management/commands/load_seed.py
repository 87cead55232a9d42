from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from directory.pagecache import content_changed
from programs.models import Program

SEED_FIXTURE = settings.BASE_DIR / "fixtures" / "seed.json"
# Missions and impact figures of the same documents; they refer to the programs by slug.
MISSIONS_FIXTURE = settings.BASE_DIR / "fixtures" / "missions.json"


class Command(BaseCommand):
    help = (
        "Load the directory's first content (the programs of the source documents) into an "
        "empty database. Does nothing when programs exist already, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even when programs exist: seed rows are reset to the fixture's values.",
        )

    def handle(self, *args, force=False, **options):
        if Program.objects.exists() and not force:
            self.stdout.write("Programs exist already; seed content not loaded (use --force).")
            return
        call_command("loaddata", SEED_FIXTURE, MISSIONS_FIXTURE, verbosity=options["verbosity"])
        Program.objects.all().refresh_search()
        content_changed()  # loaddata's raw saves send no signal to the page cache
        self.stdout.write(
            self.style.SUCCESS(f"Seed content loaded: {Program.objects.count()} programs.")
        )
