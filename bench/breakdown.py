#!/usr/bin/env python3
"""
Where a page's time goes with the page cache off: one request at a time in one process, with
production settings, against the database that bench/run.py prepared. For each page it gives
the whole request, the time spent in SQL (sending each query and reading its rows), the time
in the template engine (less the SQL that lazy querysets run while it renders), and the rest
(the view's Python, the ORM building objects, the middleware).

    .venv/bin/python bench/breakdown.py     # after bench/run.py (which also runs this)

The load benchmark says how fast a page is; this says what a faster page would have to give
up. A ratio to hello is a time budget: at 0.25 of hello a page may keep a worker four times as
long as hello does, SQL and template included. Given the load run's hello figure
(--hello-rps, --workers; bench/run.py passes them), the report turns it into milliseconds.
"""

import argparse
import datetime
import os
import statistics
import sys
import time

from run import OUT, PAGES, ROOT, add_service_arguments, django_env, machine

REQUESTS = 40


class Clock:
    """Adds up the time of SQL statements and of top-level template renders in a request."""

    def __init__(self):
        self.sql = self.template = self.sql_in_template = 0.0
        self.queries = 0
        self.rendering = 0

    def reset(self):
        self.__init__()

    def execute(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.sql += spent
            self.queries += 1
            if self.rendering:
                self.sql_in_template += spent

    def wrap_render(self, render):
        clock = self

        def timed_render(template, context):
            clock.rendering += 1
            started = time.perf_counter()
            try:
                return render(template, context)
            finally:
                clock.rendering -= 1
                if not clock.rendering:
                    clock.template += time.perf_counter() - started

        return timed_render


def measure(pages, requests):
    from django.db import connection
    from django.template import base
    from django.test import Client

    clock = Clock()
    # Django has no hook around a template's render outside the test runner's instrumented
    # one, which also copies every context; wrapping the method costs two clock reads.
    base.Template.render = clock.wrap_render(base.Template.render)
    client = Client(HTTP_HOST="127.0.0.1")
    results = []
    with connection.execute_wrapper(clock.execute):
        for label, path in pages:
            for _warm in range(5):
                response = client.get(path)
                if response.status_code != 200:
                    raise SystemExit(f"{path} answered {response.status_code}")
            samples = []
            for _request in range(requests):
                clock.reset()
                started = time.perf_counter()
                client.get(path)
                whole = time.perf_counter() - started
                template = clock.template - clock.sql_in_template
                samples.append((whole, clock.sql, template, clock.queries))
            median = {
                key: statistics.median(sample[index] for sample in samples) * 1000
                for index, key in enumerate(["whole", "sql", "template"])
            }
            median["rest"] = median["whole"] - median["sql"] - median["template"]
            median["queries"] = samples[-1][3]
            results.append((label, path, median))
            print(
                f"==> {label:32} {median['whole']:7.2f} ms: SQL {median['sql']:6.2f} "
                f"({median['queries']} queries), template {median['template']:6.2f}, "
                f"rest {median['rest']:6.2f}",
                file=sys.stderr,
                flush=True,
            )
    return results


def table(results, hello_rps=None, workers=None):
    hello = min(r["whole"] for label, _path, r in results if label.startswith("hello"))
    lines = [
        "| page | whole request ms | SQL ms (queries) | template engine ms | rest ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, path, r in results:
        lines.append(
            f"| {label} (`{path}`) | {r['whole']:.2f} | {r['sql']:.2f} ({r['queries']}) "
            f"| {r['template']:.2f} | {r['rest']:.2f} |"
        )
    if hello_rps and workers:
        # Under load, a request also costs the server and the HTTP exchange, and the load
        # generator shares the cores: a worker spends workers/rps seconds on each hello, of
        # which Django's own part is what this script measured.
        per_hello = workers / hello_rps * 1000
        overhead = per_hello - hello
        lines += [
            "",
            f"In the load run, hello answered {hello_rps:,.0f} req/s on {workers} workers: "
            f"{per_hello:.2f} ms of a worker per request, {hello:.2f} ms of which is Django's "
            f"(the faster hello above); the other {overhead:.2f} ms are gunicorn, HTTP and "
            "the load generator sharing the cores. A page at 0.25 of hello has "
            f"{4 * per_hello:.2f} ms of a worker, so about {4 * per_hello - overhead:.2f} ms "
            "of its own time as measured here; at 0.6 of hello, about "
            f"{per_hello / 0.6 - overhead:.2f} ms.",
        ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[1])
    parser.add_argument("--requests", type=int, default=REQUESTS, help="timed per page")
    add_service_arguments(parser)
    parser.add_argument("--hello-rps", type=float, help="hello's req/s in the load run")
    parser.add_argument("--workers", type=int, help="gunicorn workers of the load run")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    args = parser.parse_args()

    if not (OUT / "static" / "staticfiles.json").exists():
        raise SystemExit("Run bench/run.py first: it prepares the database and static files.")
    os.environ.update(django_env(args, page_cache=False))
    os.environ["DJANGO_SETTINGS_MODULE"] = "directory.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    # The pages of the load benchmark that Django answers with a fixed address: not the
    # varied filter (a new address each time) nor the static file (whitenoise's, not a page).
    pages = [(label, path) for label, path in PAGES if path and "*" not in path]
    results = measure(pages, args.requests)
    report = "\n".join(
        [
            f"Measured {datetime.date.today().isoformat()} on {machine()}, with the database "
            f"of the load benchmark above; page cache off; one request at a time in one "
            f"process (Django's test client, production settings); medians of "
            f"{args.requests} requests a page. SQL is the time from sending each query to "
            f"having its rows; the template engine's time leaves out the SQL that lazy "
            f"querysets run while it renders; the rest is the view's Python, the ORM building "
            f"objects and the middleware.",
            "",
            table(results, args.hello_rps, args.workers),
        ]
    )
    print(report)
    if not args.no_write:
        from results import write_section

        write_section(f"Where the time goes, {datetime.date.today().isoformat()}", report)


if __name__ == "__main__":
    main()
