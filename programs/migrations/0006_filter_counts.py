from django.db import migrations, models

# The number of published programs with each filter token, and under "" of them all
# (programs.models.FilterCount): kept by the database itself as programs change.
#
# Counted from the programs' own rows (a program counts while it is published, with its
# search_filters, exactly as it has a search entry), once per statement over all the rows it
# wrote (transition tables): a bulk update of a thousand programs is one upsert of the
# tokens it changed, not a thousand.
#
# A statement that changes any count takes the row of "" first, then the tokens in order: a
# transaction that has changed counts holds "" until it ends, so two transactions never hold
# a token each that the other waits for (no deadlock), at the price of such writes waiting
# for each other, which moderation never notices. Writes that change no count (a pending
# program, a new description) take no row.

# Each program's tokens, "" among them, while it is published.
TOKENS = "{rows} AS p, unnest(ARRAY[''] || string_to_array(p.search_filters, ' ')) AS t"
PUBLISHED = "p.status = 'published'"
UPSERT = (
    "INSERT INTO programs_filtercount AS c (token, programs) SELECT t, d FROM delta {where} "
    "ORDER BY t ON CONFLICT (token) DO UPDATE SET programs = c.programs + EXCLUDED.programs"
)

TRIGGERS = f"""
CREATE FUNCTION programs_filter_count_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Each branch names only the transition tables of its own trigger.
    IF TG_OP = 'INSERT' THEN
        WITH delta AS (
            SELECT t, count(*)::int AS d FROM {TOKENS.format(rows="new_programs")}
            WHERE {PUBLISHED} GROUP BY t
        )
        {UPSERT.format(where="")};
    ELSIF TG_OP = 'DELETE' THEN
        WITH delta AS (
            SELECT t, -count(*)::int AS d FROM {TOKENS.format(rows="old_programs")}
            WHERE {PUBLISHED} GROUP BY t
        )
        {UPSERT.format(where="")};
    ELSE
        WITH delta AS (
            SELECT t, sum(d)::int AS d FROM (
                SELECT t, -1 AS d FROM {TOKENS.format(rows="old_programs")} WHERE {PUBLISHED}
                UNION ALL
                SELECT t, 1 AS d FROM {TOKENS.format(rows="new_programs")} WHERE {PUBLISHED}
            ) AS changes GROUP BY t
        )
        {UPSERT.format(where="WHERE d <> 0 OR (t = '' AND EXISTS (SELECT FROM delta WHERE d <> 0))")};
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER programs_filter_count_insert
AFTER INSERT ON programs_program REFERENCING NEW TABLE AS new_programs
FOR EACH STATEMENT EXECUTE FUNCTION programs_filter_count_sync();

CREATE TRIGGER programs_filter_count_update
AFTER UPDATE ON programs_program REFERENCING OLD TABLE AS old_programs NEW TABLE AS new_programs
FOR EACH STATEMENT EXECUTE FUNCTION programs_filter_count_sync();

CREATE TRIGGER programs_filter_count_delete
AFTER DELETE ON programs_program REFERENCING OLD TABLE AS old_programs
FOR EACH STATEMENT EXECUTE FUNCTION programs_filter_count_sync();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS programs_filter_count_delete ON programs_program;
DROP TRIGGER IF EXISTS programs_filter_count_update ON programs_program;
DROP TRIGGER IF EXISTS programs_filter_count_insert ON programs_program;
DROP FUNCTION IF EXISTS programs_filter_count_sync();
"""


def rewrite_role_tokens(apps, schema_editor):
    """Role tokens now name the roles that can fill a need (programs.search.filter_tokens):
    every document is written again, and on PostgreSQL the entries follow by their triggers."""
    from programs.search import rewrite_documents

    rewrite_documents(apps.get_model("programs", "Program"), schema_editor.connection.vendor)


def install(apps, schema_editor):
    """PostgreSQL: the counts of today's programs, then the triggers that keep them."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "INSERT INTO programs_filtercount (token, programs) "
        f"SELECT t, count(*) FROM {TOKENS.format(rows='programs_program')} "
        f"WHERE {PUBLISHED} GROUP BY t"
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
