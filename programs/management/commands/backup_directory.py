from django.core.management import call_command
from django.core.management.base import BaseCommand

# Rebuilt by `migrate` in any database, so they are left out; rows refer to them by natural
# key (app label and model name), whose ids differ from one database to another. Every other
# row keeps its id: the admin's history points at objects by id. (Search entries, lexemes
# and filter counts are written by the database's own triggers as the programs are loaded.)
REBUILT_BY_MIGRATE = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "programs.searchentry",
    "programs.filtercount",
    "programs.searchlexeme",
]


class Command(BaseCommand):
    help = (
        "Write the whole directory to a file: programs of every status, organizations, "
        "submissions and their moderation, users, and the admin's history of changes. "
        "A name ending in .gz, .bz2, .xz or .zip is compressed. Restore with restore_directory."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="File to write, e.g. directory-2026-11-23.json.gz")

    def handle(self, *args, output, **options):
        call_command(
            "dumpdata",
            natural_foreign=True,
            exclude=REBUILT_BY_MIGRATE,
            indent=1,
            output=output,
            verbosity=0,
        )
        self.stdout.write(self.style.SUCCESS(f"Directory written to {output}"))
