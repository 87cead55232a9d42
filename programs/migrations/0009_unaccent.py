from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """PostgreSQL's unaccent, for organization names typed without their accents (a trusted
    extension: the database owner may create it). Nothing on SQLite."""

    dependencies = [("programs", "0008_program_name_idx")]

    operations = [UnaccentExtension()]
