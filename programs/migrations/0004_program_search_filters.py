from django.db import migrations, models

SEARCH_FIELDS = ["search_names", "search_terms", "search_text", "search_filters"]


def fill_search_filters(apps, schema_editor):
    """Every program's filter tokens, and on PostgreSQL its document with them."""
    from programs.search import document_fields, search_vector

    Program = apps.get_model("programs", "Program")
    programs = list(
        Program.objects.select_related("organization").prefetch_related(
            "places", "specialties", "staffing_requirements"
        )
    )
    for program in programs:
        for field, value in document_fields(program).items():
            setattr(program, field, value)
    Program.objects.bulk_update(programs, SEARCH_FIELDS, batch_size=1000)
    if schema_editor.connection.vendor == "postgresql":
        Program.objects.update(search_vector=search_vector())


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0003_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="program",
            name="search_filters",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_search_filters, migrations.RunPython.noop),
    ]
