#!/usr/bin/env python3
"""
Text search at scale on PostgreSQL: database time of two-word searches with a filter, at
100,000 generated programs by default, and the plans that show the indexes at work.

    .venv/bin/python bench/search_scale.py                     # 100,000 programs
    .venv/bin/python bench/search_scale.py --programs 20000 --skip-setup

For each query it runs, under EXPLAIN (ANALYZE), a count of the matches and the first page as
the list loads it (a search in order of relevance is ranked and cut in its SearchEntry rows,
then 25 programs are read by id), and sums the server's execution and planning times: database
time, without the network or Python. (The list page itself takes its count from the facets'
pass, timed with the whole page.) Prints p50/p95/max and appends the figures to bench/RESULTS.md.
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Two words (one with a typo or an accent), each with one filter, as surgeons type them.
QUERIES = [
    ("cleft surgery", {"region": ["latin-america"]}),
    ("burns contractures", {"trainees": True}),
    ("hand surgery", {"country": ["VN"]}),
    ("cleft plate", {"region": ["asia"]}),
    ("wound care", {"role": ["nurse"]}),
    ("noma children", {"region": ["africa"]}),
    ("breast reconstruction", {"frequency": ["per-year"]}),
    ("Córdoba outreach", {"trainees": False}),
    ("skin cancer", {"region": ["europe"]}),
    ("general surgery", {"country": ["PE"]}),
    ("vascular malformations", {"region": ["middle-east"]}),
    ("craniofacial team", {"trainees": True}),
]


def environment(url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DATABASE_URL=url, DJANGO_DEBUG="1", DJANGO_LOG_LEVEL="WARNING")
    return env


def prepare(url, programs):
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    env = environment(url)
    for args in (
        ["migrate", "--noinput", "-v0"],
        ["load_seed"],
        ["generate_directory", "--programs", str(programs)],
    ):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)
    # As after any bulk load: dead row versions of the generator's rewrites cleared, and the
    # planner's statistics fresh, instead of waiting for autovacuum.
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def measure(rounds):
    import django

    django.setup()
    from django.db import connection

    from programs.filters import ProgramFilter
    from programs.models import Program
    from programs.views import NarrowPagePaginator

    def explain(sql, params):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
        plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
        return plan["Execution Time"] + plan["Planning Time"], plan

    def explain_page(queryset):
        return explain(*queryset.query.sql_with_params())

    def explain_count(queryset):
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        return explain(f"SELECT COUNT(*) FROM ({sql}) AS matches", params)  # noqa: S608 - the ORM's SQL

    from django.http import QueryDict

    timings, plans, per_query = [], {}, {}
    total = Program.objects.published().count()
    for _round in range(rounds):
        for text, filters in QUERIES:
            data = QueryDict(mutable=True)
            data["q"] = text
            for key, value in filters.items():
                value = "yes" if value is True else "no" if value is False else value
                data.setlist(key, value if isinstance(value, list) else [value])
            filterset = ProgramFilter(data, queryset=Program.objects.published().for_listing())
            results = filterset.qs
            # As the list does: a search in order of relevance is counted, ranked and cut
            # in its narrow SearchEntry rows; the page's 25 programs are read by id.
            entries = filterset.entries()
            matches = results if entries is None else entries
            count_ms, _ = explain_count(matches)
            paginator = NarrowPagePaginator(results, 25, ranked=entries)
            paginator.count = matches.count()
            page_ms, plan = explain_page(paginator.page(1).object_list)
            timings.append(count_ms + page_ms)
            plans.setdefault(text, plan)
            per_query.setdefault((text, data.urlencode()), []).append(count_ms + page_ms)
    return total, timings, plans, per_query


def whole_pages(per_query):
    """{query string: (matches, ms)}: every query of the list page (results, facets, typos),
    timed by the client with the page cache off: what a visitor waits for on a cache miss."""
    from django.db import connection
    from django.http import QueryDict
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from programs.filters import ProgramFilter
    from programs.models import Program

    found = {}
    client = Client()
    with override_settings(PAGE_CACHE=False, ALLOWED_HOSTS=["testserver"]):
        for _text, query in per_query:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(f"/programs/?{query}")
            assert response.status_code == 200, query
            data = QueryDict(query)
            matches = ProgramFilter(data, queryset=Program.objects.published()).qs.count()
            found[query] = (matches, sum(float(q["time"]) for q in queries) * 1000)
    return found


def memory_fit():
    """(shared_buffers, size of the SearchEntry table with its indexes), as PostgreSQL
    words them: what decides whether a broad search reads its rows from its own memory."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('shared_buffers'),"
            " pg_size_pretty(pg_total_relation_size('programs_searchentry'))"
        )
        return cursor.fetchone()


def index_names(node, found):
    if "Index Name" in node:
        found.add(node["Index Name"])
    for child in node.get("Plans", []):
        index_names(child, found)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[1])
    parser.add_argument("--programs", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_SEARCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/directory_search"
        ),
    )
    parser.add_argument("--skip-setup", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    if not args.skip_setup:
        prepare(args.database_url, args.programs)
    os.environ.update(environment(args.database_url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
    total, timings, plans, per_query = measure(args.rounds)
    pages = whole_pages(per_query)
    buffers, entries = memory_fit()
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    indexes = set()
    for plan in plans.values():
        index_names(plan["Plan"], indexes)
    lines = [
        f"{total:,} published programs on PostgreSQL; {len(timings)} two-word searches with one "
        "filter each (the matches counted, and the first page as the list loads it), database "
        "time from "
        "EXPLAIN ANALYZE (planning + execution).",
        "",
        f"- p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, max {timings[-1]:.1f} ms",
        f"- indexes in the plans: {', '.join(sorted(indexes)) or 'none'}",
        f"- PostgreSQL's shared_buffers {buffers}; the search entries and their indexes take "
        f"{entries}. When they do not fit, broad searches read pages from the operating "
        "system's cache and take longer, and timings vary more (README: Deploying at scale).",
        "",
        "| query | matches | count + first page, median ms | whole list page, ms of SQL |",
        "| --- | ---: | ---: | ---: |",
    ]
    for (_text, query), measured in per_query.items():
        matches, page_ms = pages[query]
        lines.append(
            f"| `{query}` | {matches:,} | {statistics.median(measured):.1f} | {page_ms:.0f} |"
        )
    lines += [
        "",
        "The whole page adds the facet counts (every option counted within the other "
        "filters) to the results; it is timed once per query by Django's test client.",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    if not args.no_write:
        sys.path.insert(0, str(ROOT / "bench"))
        from results import write_section

        write_section(
            f"Text search at scale, {datetime.date.today().isoformat()} (bench/search_scale.py)",
            report,
        )


if __name__ == "__main__":
    main()
