from django.db import migrations, models

# The number of published programs with each filter token, and under "" of them all
# (programs.models.FilterCount): kept by the database itself as the search entries change.
#
# Every change takes the row of "" first, even one that leaves the total as it was, and then
# the tokens in order: a transaction that has changed an entry holds "" until it ends, so two
# transactions never hold a token each that the other waits for (no deadlock), at the price
# of writes of entries waiting for each other, which moderation never notices.
TRIGGERS = """
CREATE FUNCTION programs_filter_count_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO programs_filtercount AS c (token, programs)
    SELECT t, sum(d) FROM (
        SELECT t, -1 AS d FROM unnest(CASE WHEN TG_OP <> 'INSERT'
            THEN ARRAY[''] || string_to_array(OLD.filters, ' ') END) AS t
        UNION ALL
        SELECT t, 1 AS d FROM unnest(CASE WHEN TG_OP <> 'DELETE'
            THEN ARRAY[''] || string_to_array(NEW.filters, ' ') END) AS t
    ) AS changes
    GROUP BY t
    HAVING sum(d) <> 0 OR t = ''
    ORDER BY t
    ON CONFLICT (token) DO UPDATE SET programs = c.programs + EXCLUDED.programs;
    RETURN NULL;
END $$;

CREATE TRIGGER programs_filter_count_insert_delete
AFTER INSERT OR DELETE ON programs_searchentry
FOR EACH ROW EXECUTE FUNCTION programs_filter_count_sync();

CREATE TRIGGER programs_filter_count_update
AFTER UPDATE OF filters ON programs_searchentry
FOR EACH ROW WHEN (OLD.filters IS DISTINCT FROM NEW.filters)
EXECUTE FUNCTION programs_filter_count_sync();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS programs_filter_count_update ON programs_searchentry;
DROP TRIGGER IF EXISTS programs_filter_count_insert_delete ON programs_searchentry;
DROP FUNCTION IF EXISTS programs_filter_count_sync();
"""


def rewrite_role_tokens(apps, schema_editor):
    """Role tokens now name the roles that can fill a need (programs.search.filter_tokens):
    every document is written again, and on PostgreSQL the entries follow by their triggers."""
    from programs.search import rewrite_documents

    rewrite_documents(apps.get_model("programs", "Program"), schema_editor.connection.vendor)


def install(apps, schema_editor):
    """PostgreSQL: the counts of today's entries, then the triggers that keep them."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "INSERT INTO programs_filtercount (token, programs) "
        "SELECT t, count(*) FROM programs_searchentry, "
        "unnest(ARRAY[''] || string_to_array(filters, ' ')) AS t GROUP BY t"
    )
    # The total exists even for an empty directory: every change takes its row first.
    schema_editor.execute(
        "INSERT INTO programs_filtercount (token, programs) VALUES ('', 0) ON CONFLICT DO NOTHING"
    )
    schema_editor.execute(TRIGGERS)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGERS)


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0005_search_entries"),
    ]

    operations = [
        migrations.CreateModel(
            name="FilterCount",
            fields=[
                (
                    "token",
                    models.TextField(primary_key=True, serialize=False, verbose_name="token"),
                ),
                (
                    "programs",
                    models.IntegerField(default=0, verbose_name="programs"),
                ),
            ],
            options={
                "verbose_name": "filter count",
                "verbose_name_plural": "filter counts",
            },
        ),
        migrations.RunPython(rewrite_role_tokens, migrations.RunPython.noop),
        migrations.RunPython(install, uninstall),
    ]
