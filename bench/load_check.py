#!/usr/bin/env python3
"""
Load and fault check: gunicorn in production settings on PostgreSQL, 64 connections of wrk for
60 s rotating over the list, program pages and searches, while submissions are posted through
the real form. Then the same with one gunicorn worker killed (SIGKILL) in the middle.

    .venv/bin/python bench/load_check.py                   # both phases, about 2 minutes
    .venv/bin/python bench/load_check.py --duration 10 --submissions 40 --no-write

Passes when, under load, no request failed or answered 5xx, every submission posted is stored
exactly once with a unique reference, and, with a worker killed, every submission that was
acknowledged (302 to /submit/thanks/) is in the database. Prints the figures and appends them
to bench/RESULTS.md. Only 127.0.0.1 is ever contacted; every loop is bounded.
"""

import argparse
import datetime
import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

import run as bench  # noqa: E402  (bench/run.py: database preparation, gunicorn helpers)

LUA = """
local paths = {%(paths)s}
local counter = 0
statuses = {}

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local threads = {}
setup = function(thread) table.insert(threads, thread) end

done = function(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  for status, count in pairs(totals) do
    io.write(string.format("STATUS %%d %%d\\n", status, count))
  end
  local e = summary.errors
  io.write(string.format("ERRORS connect=%%d read=%%d write=%%d status=%%d timeout=%%d\\n",
    e.connect, e.read, e.write, e.status, e.timeout))
  io.write(string.format("REQUESTS %%d\\n", summary.requests))
end
"""


WRK_TIMEOUT = 30


def log(message):
    bench.log(message)


def setup_django(database_url):
    """The ORM in this process, on the benchmark database: for the URLs to load and for
    counting what was stored."""
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="directory.settings",
        DJANGO_SECRET_KEY="load-check-only-" + "k" * 40,
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_LOG_LEVEL="WARNING",
    )
    import django

    django.setup()


def load_paths():
    from programs.models import Program

    slugs = list(Program.objects.published().order_by("?").values_list("slug", flat=True)[:20])
    searches = ["cleft", "cleft+surgery", "hand+surgeon", "burns+Peru", "plate", "children"]
    paths = ["/programs/", "/programs/?page=2", "/programs/?region=latin-america&trainees=yes"]
    paths += [f"/programs/{slug}/" for slug in slugs]
    paths += [f"/programs/?q={words}" for words in searches]
    return paths


def submission_data(name, token):
    """The /submit/ form of tests/factories.submission_post(), with a unique program name."""
    sys.path.insert(0, str(BENCH.parent))
    from tests.factories import submission_post

    return {**submission_post(name=name), "csrfmiddlewaretoken": token}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post_submission(base, name):
    """GET the form for its CSRF token, POST it. Returns the status of the POST, or the error
    (a connection reset by a killed worker). Acknowledged means 302 to /submit/thanks/."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    try:
        page = opener.open(base + "/submit/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode(submission_data(name, token), doseq=True).encode()
        try:
            response = opener.open(base + "/submit/", data=body, timeout=30)
            return str(response.status)
        except urllib.error.HTTPError as answer:
            if answer.code == 302 and answer.headers["Location"] == "/submit/thanks/":
                return "acknowledged"
            return str(answer.code)
    except (OSError, AttributeError) as error:
        return f"failed: {error.__class__.__name__}"


def post_submissions(base, names, results, kill=None):
    """Post every submission from a few threads at once; `kill()` is called once half of them
    have been sent."""
    lock = threading.Lock()

    def one(name):
        outcome = post_submission(base, name)
        with lock:
            results[name] = (outcome, time.monotonic())
            if kill and len(results) == len(names) // 2:
                kill()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, names))


def stored(prefix):
    """{program name: number of submissions} and the number of distinct references, for the
    programs of this run."""
    from django.db import connections
    from django.db.models import Count

    from submissions.models import Submission

    connections.close_all()
    rows = Submission.objects.filter(program__name__startswith=prefix)
    per_name = dict(rows.values_list("program__name").annotate(n=Count("pk")).order_by())
    return per_name, rows.values("reference").distinct().count(), rows.count()


def run_wrk(args, base, paths, seconds):
    script = Path(tempfile.mkdtemp()) / "rotate.lua"
    script.write_text(LUA % {"paths": ", ".join(f'"{p}"' for p in paths)})
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        # Sync workers queue the 64 connections: a slow answer is measured, not dropped.
        "--timeout",
        f"{WRK_TIMEOUT}s",
        "--latency",
        "-s",
        str(script),
        base + "/",
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def wrk_figures(output):
    figures = bench.parse_wrk(output)
    figures["statuses"] = {
        int(s): int(n) for s, n in re.findall(r"^STATUS (\d+) (\d+)$", output, re.M)
    }
    errors = re.search(r"^ERRORS.*$", output, re.M).group()
    figures["errors"] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", errors)}
    figures["requests"] = int(re.search(r"^REQUESTS (\d+)$", output, re.M).group(1))
    figures["failed"] = sum(figures["errors"].values()) - figures["errors"]["status"]
    figures["non2xx"] = sum(n for s, n in figures["statuses"].items() if not 200 <= s < 300)
    figures["5xx"] = sum(n for s, n in figures["statuses"].items() if s >= 500)
    return figures


def start_gunicorn(args, env):
    master = subprocess.Popen(
        [
            bench.PYTHON,
            "-m",
            "gunicorn",
            "directory.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=bench.ROOT,
        env=env,
    )
    bench.wait_for(f"http://127.0.0.1:{args.port}/healthz")
    return master


def phase(args, env, label, seconds, count, kill_worker):
    """One run of wrk and submissions together. Returns the figures."""
    master = start_gunicorn(args, env)
    base = f"http://127.0.0.1:{args.port}"
    prefix = f"Load check {uuid.uuid4().hex[:8]} "
    names = [f"{prefix}#{i:04d}" for i in range(count)]
    results, killed = {}, []

    def kill():
        pids = bench.worker_pids(master.pid)
        if pids:
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])
            log(f"killed gunicorn worker {pids[0]} (SIGKILL)")

    try:
        wrk = run_wrk(args, base, load_paths(), seconds)
        load_ends = time.monotonic() + seconds
        time.sleep(min(5, seconds / 6))  # submissions while the load is on
        started = time.monotonic()
        post_submissions(base, names, results, kill=kill if kill_worker else None)
        posting = time.monotonic() - started
        output = wrk.communicate(timeout=seconds + 60)[0]
    finally:
        master.send_signal(signal.SIGTERM)
        master.wait(timeout=30)
    per_name, references, rows = stored(prefix)
    acknowledged = [name for name, (outcome, _t) in results.items() if outcome == "acknowledged"]
    during_load = sum(1 for _outcome, finished in results.values() if finished <= load_ends)
    figures = {
        "label": label,
        "seconds": seconds,
        "wrk": wrk_figures(output),
        "posted": count,
        "posting_seconds": posting,
        "acknowledged": len(acknowledged),
        "outcomes": sorted({outcome for outcome, _t in results.values()}),
        "during_load": during_load,
        "not_acknowledged": count - len(acknowledged),
        "stored_rows": rows,
        "stored_names": len(per_name),
        "duplicates": sum(n - 1 for n in per_name.values() if n > 1),
        "unique_references": references,
        "acknowledged_missing": sum(1 for name in acknowledged if name not in per_name),
        "killed": killed,
    }
    return figures


def report_lines(figures, args):
    w = figures["wrk"]
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(w["statuses"].items()))
    errors = ", ".join(f"{k} {v}" for k, v in w["errors"].items())
    lines = [
        f"### {figures['label']}",
        "",
        f"- wrk: {w['requests']:,} requests in {figures['seconds']} s ({w['rps']:.0f} req/s), "
        f"p50 {w['p50']:.0f} ms, p99 {w['p99']:.0f} ms; statuses {statuses}; "
        f"socket errors: {errors}.",
        f"- Failed requests (socket errors): {w['failed']}; non-2xx: {w['non2xx']}; "
        f"5xx: {w['5xx']}.",
        f"- Submissions: {figures['posted']} posted from 4 threads in "
        f"{figures['posting_seconds']:.1f} s ({figures['during_load']} of them answered while "
        f"wrk was running); {figures['acknowledged']} "
        f"acknowledged (302 to /submit/thanks/), {figures['not_acknowledged']} not "
        f"({', '.join(o for o in figures['outcomes'] if o != 'acknowledged') or 'none'}).",
        f"- In the database: {figures['stored_rows']} submissions for {figures['stored_names']} "
        f"distinct programs, {figures['duplicates']} duplicates, "
        f"{figures['unique_references']} distinct references; acknowledged but missing: "
        f"{figures['acknowledged_missing']}.",
    ]
    if figures["killed"]:
        lines.append(f"- Killed worker(s) with SIGKILL halfway through: {figures['killed']}.")
    return [*lines, ""]


def verdict(load, killed):
    problems = []
    w = load["wrk"]
    if w["failed"] or w["5xx"] or w["non2xx"]:
        problems.append("requests failed or were not 2xx under load")
    if not (load["acknowledged"] == load["posted"] == load["stored_rows"]):
        problems.append("not every submission under load was acknowledged and stored")
    if load["duplicates"] or load["unique_references"] != load["stored_rows"]:
        problems.append("a submission was stored twice or a reference repeated")
    if killed and (killed["acknowledged_missing"] or killed["duplicates"]):
        problems.append("an acknowledged submission was lost or doubled with a worker killed")
    if killed and not killed["killed"]:
        problems.append("no worker was killed")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[1])
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--kill-duration", type=int, default=40, help="seconds, kill phase")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--submissions", type=int, default=60)
    parser.add_argument("--programs", type=int, default=1000, help="generated programs")
    parser.add_argument("--port", type=int, default=8901)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/directory_load"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    )
    parser.add_argument("--skip-setup", action="store_true", help="reuse the prepared database")
    parser.add_argument("--no-kill", action="store_true", help="only the load phase")
    parser.add_argument("--no-write", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()

    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    bench.OUT.mkdir(parents=True, exist_ok=True)
    if not args.skip_setup:
        bench.prepare_database(args)
    env = bench.django_env(args, page_cache=False)
    env.update(
        # The check posts far more than a person would from one address.
        DIRECTORY_SUBMISSION_RATE_LIMIT="1000000",
        # No mail server here: mail is not what this measures.
        EMAIL_URL="dummymail://",
    )
    setup_django(args.database_url)

    log(f"Load: wrk -c{args.connections} -d{args.duration}s, {args.submissions} submissions")
    load = phase(args, env, "Under load", args.duration, args.submissions, kill_worker=False)
    killed = None
    if not args.no_kill:
        log("Kill: the same, with one worker killed halfway through the submissions")
        killed = phase(
            args,
            env,
            "A worker killed under load",
            args.kill_duration,
            max(10, args.submissions // 2),
            kill_worker=True,
        )

    problems = verdict(load, killed)
    report = [
        f"## Load check, {datetime.date.today().isoformat()}",
        "",
        f"On {bench.machine()}. gunicorn, {args.workers} sync workers, production settings, "
        f"PostgreSQL with {args.programs:,} generated programs plus the seed; cache: "
        f"{'Redis' if args.redis_url else 'local memory'}. wrk `-t{args.threads} "
        f"-c{args.connections} --timeout {WRK_TIMEOUT}s` on 127.0.0.1 over "
        f"{len(load_paths())} URLs "
        f"(list, filtered list, program pages, searches). `bench/load_check.py`.",
        "",
        *report_lines(load, args),
        *(report_lines(killed, args) if killed else []),
        f"Result: {'passed' if not problems else 'FAILED: ' + '; '.join(problems)}.",
        "",
    ]
    print("\n".join(report))
    if not args.no_write:
        results = BENCH / "RESULTS.md"
        existing = results.read_text() if results.exists() else "# Benchmark results\n\n"
        results.write_text(existing.rstrip("\n") + "\n\n" + "\n".join(report))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
