import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

# A program has a search entry exactly while it is published, holding its name and document,
# and every word of every document is a search lexeme: kept so by the database itself,
# whatever writes the program (programs.models.SearchEntry, SearchLexeme).
TRIGGERS = """
CREATE FUNCTION programs_search_entry_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.search_vector IS NOT NULL
       AND (TG_OP = 'INSERT' OR OLD.search_vector IS DISTINCT FROM NEW.search_vector) THEN
        -- In one order, so that two programs written at once wait for each other on a new
        -- word rather than deadlock. Filter tokens ("=cPE") are never typed.
        INSERT INTO programs_searchlexeme (word)
        SELECT word FROM unnest(tsvector_to_array(NEW.search_vector)) AS word
        WHERE left(word, 1) <> '='
        ORDER BY word
        ON CONFLICT DO NOTHING;
    END IF;
    IF NEW.status = 'published' THEN
        INSERT INTO programs_searchentry (program_id, name, vector, filters)
        VALUES (NEW.id, NEW.name, NEW.search_vector, NEW.search_filters)
        ON CONFLICT (program_id) DO UPDATE
        SET name = EXCLUDED.name, vector = EXCLUDED.vector, filters = EXCLUDED.filters;
    ELSE
        DELETE FROM programs_searchentry WHERE program_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER programs_search_entry_insert
AFTER INSERT ON programs_program
FOR EACH ROW EXECUTE FUNCTION programs_search_entry_sync();

-- Django's save() writes every column: only a real change of these touches the entry.
CREATE TRIGGER programs_search_entry_update
AFTER UPDATE OF status, name, search_vector, search_filters ON programs_program
FOR EACH ROW
WHEN (
    OLD.status IS DISTINCT FROM NEW.status
    OR OLD.name IS DISTINCT FROM NEW.name
    OR OLD.search_vector IS DISTINCT FROM NEW.search_vector
    OR OLD.search_filters IS DISTINCT FROM NEW.search_filters
)
EXECUTE FUNCTION programs_search_entry_sync();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS programs_search_entry_update ON programs_program;
DROP TRIGGER IF EXISTS programs_search_entry_insert ON programs_program;
DROP FUNCTION IF EXISTS programs_search_entry_sync();
"""


def install(apps, schema_editor):
    """PostgreSQL: the indexes and triggers, an entry for every published program and the
    words of every document. SQLite searches neither table."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.indexes import GinIndex

    schema_editor.add_index(
        apps.get_model("programs", "SearchEntry"),
        GinIndex(fields=["vector"], name="search_entry_document_idx"),
    )
    # Byte order, whatever the database's collation: the words that begin with a typed one
    # are a range of this index (programs.search.look_up).
    schema_editor.execute(
        'CREATE INDEX search_lexeme_word_c_idx ON programs_searchlexeme (word COLLATE "C")'
    )
    schema_editor.execute(TRIGGERS)
    schema_editor.execute(
        "INSERT INTO programs_searchentry (program_id, name, vector, filters) "
        "SELECT id, name, search_vector, search_filters FROM programs_program "
        "WHERE status = 'published'"
    )
    schema_editor.execute(
        "INSERT INTO programs_searchlexeme (word) "
        "SELECT DISTINCT word FROM programs_program, "
        "unnest(tsvector_to_array(search_vector)) AS word WHERE left(word, 1) <> '='"
    )


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGERS)


def add_frequency_tokens(apps, schema_editor):
    """The documents gain a frequency token (programs.search.filter_tokens); on PostgreSQL the
    triggers carry the new documents into the entries."""
    from programs.search import rewrite_documents

    rewrite_documents(apps.get_model("programs", "Program"), schema_editor.connection.vendor)


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0004_program_search_filters"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "program",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_entry",
                        serialize=False,
                        to="programs.program",
                        verbose_name="program",
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("vector", django.contrib.postgres.search.SearchVectorField(null=True)),
                (
                    "filters",
                    models.TextField(blank=True, default="", verbose_name="filter tokens"),
                ),
            ],
            options={
                "verbose_name": "search entry",
                "verbose_name_plural": "search entries",
            },
        ),
        migrations.CreateModel(
            name="SearchLexeme",
            fields=[
                (
                    "word",
                    models.TextField(primary_key=True, serialize=False, verbose_name="word"),
                ),
            ],
            options={
                "verbose_name": "search lexeme",
                "verbose_name_plural": "search lexemes",
            },
        ),
        migrations.RunPython(install, uninstall),
        migrations.RunPython(add_frequency_tokens, migrations.RunPython.noop),
    ]
