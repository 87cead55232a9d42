from django.db import migrations, models

def fill_search_filters(apps, schema_editor):
    """Every program's filter tokens, and on PostgreSQL its document with them."""
    from programs.search import rewrite_documents

    rewrite_documents(apps.get_model("programs", "Program"), schema_editor.connection.vendor)


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
