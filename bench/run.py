#!/usr/bin/env python3
"""
Load benchmark: gunicorn in production settings against PostgreSQL, measured with wrk on
127.0.0.1. Prints requests/s, p50 and p99 latency, each page's throughput as a ratio to the
fixed "hello" view measured in the same run, and the workers' peak memory (under the load, and
while each worker writes an export of the whole directory); writes the table
to bench/RESULTS.md, followed by where each page's time goes (bench/breakdown.py).

    .venv/bin/python bench/run.py                  # 10,000 programs, page cache on and off
    .venv/bin/python bench/run.py --programs 1000 --duration 3 --rounds 1

Not part of the test suite: timings are noisy (on a shared VM a single 10 s measurement varies
by a third between runs), so pages are measured in rounds and compared as ratios.
"""

import argparse
import contextlib
import datetime
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable

# (label, path) measured in this order. "hello" is the floor: a fixed answer from Django.
PAGES = [
    ("hello (baseline)", "/bench/hello"),
    # The second reference: a plain Django template listing 50 programs, what the
    # template engine alone costs for a list (directory.views.plain_list).
    ("plain 50-row Django template", "/bench/plain-list"),
    ("home", "/"),
    ("list, unfiltered", "/programs/"),
    (
        "list, text search + 2 filters",
        "/programs/?q=cleft+surgery&region=latin-america&trainees=no",
    ),
    ("list, page 40", "/programs/?page=40"),
    # A different country, role and page on every request (bench/varied_filters.lua): the
    # cost of a filtered list nobody asked for recently, which the page cache cannot spare.
    ("list, a new filter each request", "/programs/?country=*&role=*&page=*"),
    # The unfiltered list from a shared link with a new click id on every request
    # (bench/click_ids.lua): the page cache serves the stored list, the click id aside.
    ("list, a shared link, a new click id each request", "/programs/?utm_source=*&fbclid=*"),
    ("program detail", "/programs/nuevo-amanecer/"),
    ("impact", "/impact/"),
    ("missions calendar (.ics)", "/missions/calendar.ics"),
    ("static file (CSS)", None),  # resolved from the home page's <link>
    # Measured again last: a single measurement of the floor varies by a tenth or more
    # between runs, and the ratios use the higher of the two (the stricter comparison).
    ("hello (again)", "/bench/hello"),
]

# The wrk scripts of the pages with a "*": a new address on every request.
SCRIPTS = {
    "/programs/?country=*&role=*&page=*": "varied_filters.lua",
    "/programs/?utm_source=*&fbclid=*": "click_ids.lua",
}


def log(message):
    print(f"==> {message}", file=sys.stderr, flush=True)


def run(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def django_env(args, page_cache):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=args.database_url,
        DJANGO_SECRET_KEY="benchmark-only-" + "k" * 40,
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_STATIC_ROOT=str(OUT / "static"),
        DIRECTORY_BENCHMARK="1",
        DIRECTORY_PAGE_CACHE="1" if page_cache else "0",
        DJANGO_LOG_LEVEL="WARNING",
    )
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    return env


def create_database(url):
    """A new, empty database: the same starting point for every run, with none of the dead
    row versions an earlier run or a migration left in the tables."""
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def vacuum(url):
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def prepare_database(args):
    env = django_env(args, page_cache=False)
    log(f"Preparing {args.database_url} with {args.programs} generated programs")
    create_database(args.database_url)
    run(env, "migrate", "--noinput", "-v0")
    run(env, "load_seed")
    run(env, "generate_directory", "--programs", str(args.programs), "--replace")
    run(env, "collectstatic", "--noinput", "-v0")
    # As after any bulk load: the generator's rewrites cleared and the planner's statistics
    # fresh, instead of waiting for autovacuum to catch up during the measurements.
    vacuum(args.database_url)


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer at {url}")


def drain(base, seconds=120):
    """Wait until the workers have answered what wrk left queued: with slow pages (the cache
    off), requests still run after wrk stops and would be counted against the next page."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.monotonic()
        with contextlib.suppress(OSError):
            urllib.request.urlopen(base + "/bench/hello", timeout=seconds).read()
            if time.monotonic() - start < 0.05:
                return
        time.sleep(0.5)


def worker_pids(master):
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def rss_mb(pid):
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else 0.0


def parse_wrk(output):
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))

    def percentile(p):
        match = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": rps,
        "p50": percentile(50),
        "p99": percentile(99),
        "non2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def measure(args, page_cache):
    env = django_env(args, page_cache)
    port = args.port
    base = f"http://127.0.0.1:{port}"
    master = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "directory.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(base + "/bench/hello")
        home = urllib.request.urlopen(base + "/").read().decode()
        css = re.search(r'href="(/static/[^"]+\.css)"', home).group(1)
        pages = [(label, path or css) for label, path in PAGES]
        for _label, path in pages:
            if "*" not in path:
                # Warm: fill caches, open database connections in every worker. (Not the
                # varied list: it would store the very pages the script then asks for.)
                subprocess.run(["wrk", "-t2", "-c8", "-d2s", base + path], capture_output=True)
                drain(base)
        measured, peak = [[] for _page in pages], 0.0
        # Round-robin, so that a disturbance of the machine spreads over every page instead
        # of sinking one; each page's figure is the median of its rounds.
        for round_number in range(args.rounds):
            for index, (label, path) in enumerate(pages):
                command = ["wrk", f"-t{args.threads}", f"-c{args.connections}"]
                command += [f"-d{args.duration}s", "--latency"]
                if "*" in path:
                    script = str(ROOT / "bench" / SCRIPTS[path])
                    command += ["-s", script, base + path.split("?")[0], "--", str(round_number)]
                else:
                    command.append(base + path)
                wrk = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
                while wrk.poll() is None:
                    peak = max([peak, *(rss_mb(pid) for pid in worker_pids(master.pid))])
                    time.sleep(0.25)
                result = parse_wrk(wrk.stdout.read())
                drain(base)
                measured[index].append(result)
                log(
                    f"{label:32} {result['rps']:8.0f} req/s  p50 {result['p50']:.1f} ms  "
                    f"p99 {result['p99']:.1f} ms  non-2xx {result['non2xx']}"
                )
        exports = download_exports(base, master, args.workers)
        results = []
        for (label, path), rounds in zip(pages, measured, strict=True):
            results.append(
                (
                    label,
                    path,
                    {
                        "rps": statistics.median(r["rps"] for r in rounds),
                        "p50": statistics.median(r["p50"] for r in rounds),
                        "p99": statistics.median(r["p99"] for r in rounds),
                        "non2xx": sum(r["non2xx"] for r in rounds),
                    },
                )
            )
        return results, peak, exports
    finally:
        master.send_signal(signal.SIGTERM)
        master.wait(timeout=30)


# The largest responses, for the workers' memory: each downloaded by every worker at once.
EXPORTS = ["/export/programs.csv", "/export/programs.json"]


def download_exports(base, master, workers):
    """[(path, bytes, seconds, peak worker MB)] of each export of the whole directory, asked
    for by `workers` clients at once, so that every worker writes one."""
    found = []
    for path in EXPORTS:
        sizes = []

        def download(path=path, sizes=sizes):
            with urllib.request.urlopen(base + path, timeout=600) as response:
                size = 0
                while chunk := response.read(1 << 20):
                    size += len(chunk)
            sizes.append(size)

        threads = [threading.Thread(target=download) for _worker in range(workers)]
        started, peak = time.perf_counter(), 0.0
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            peak = max([peak, *(rss_mb(pid) for pid in worker_pids(master.pid))])
            time.sleep(0.1)
        seconds, size = time.perf_counter() - started, max(sizes or [0])
        log(f"{path:32} {size / 1e6:8.1f} MB in {seconds:.1f} s, worker peak {peak:.0f} MB")
        found.append((path, size, seconds, peak))
    return found


def ratio(value):
    """Two decimals, or three below 0.1, where two would round a slow page to 0.00."""
    return f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"


def table(title, results, peak, exports):
    baseline = max(r["rps"] for label, _path, r in results if label.startswith("hello"))
    # The template engine's own floor for a list, measured beside the pages: what a page
    # that renders rows can be held to when it is not served from the cache.
    plain = next(r["rps"] for _label, path, r in results if path == "/bench/plain-list")
    lines = [
        f"### {title}",
        "",
        "| page | path | req/s | p50 ms | p99 ms | ratio to hello | ratio to the plain "
        "template | non-2xx |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, path, r in results:
        lines.append(
            f"| {label} | `{path}` | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} "
            f"| {ratio(r['rps'] / baseline)} | {ratio(r['rps'] / plain)} | {r['non2xx']} |"
        )
    overall = max(peak, *(memory for _path, _size, _seconds, memory in exports))
    lines += [
        "",
        f"Peak resident memory of a gunicorn worker: {overall:.0f} MB "
        f"({peak:.0f} MB under the load above).",
        "",
    ]
    lines += [
        "Exports of the whole directory, each written by every worker at once: "
        + "; ".join(
            f"`{path}` {size / 1e6:.1f} MB in {seconds:.1f} s (worker peak {memory:.0f} MB)"
            for path, size, seconds, memory in exports
        )
        + ".",
        "",
    ]
    return "\n".join(lines)


def machine():
    cpu = "unknown CPU"
    with contextlib.suppress(OSError, AttributeError):
        cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text()).group(1)
    memory = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    gib = int(memory.group(1)) / 1024 / 1024 if memory else 0
    return f"{os.cpu_count()} cores ({cpu}), {gib:.0f} GiB, {platform.platform()}"


def add_service_arguments(parser):
    """The database and cache of the benchmark (bench/breakdown.py reads the same ones)."""
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/directory_bench"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[1])
    parser.add_argument("--programs", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=5, help="seconds per page and round")
    parser.add_argument("--rounds", type=int, default=3, help="medians of this many rounds")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8900)
    add_service_arguments(parser)
    parser.add_argument("--skip-setup", action="store_true", help="reuse the prepared database")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    args = parser.parse_args()

    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.skip_setup:
        prepare_database(args)

    sections = []
    for page_cache in (True, False):
        title = f"Page cache {'on' if page_cache else 'off'}"
        log(title)
        results, peak, exports = measure(args, page_cache)
        sections.append(table(title, results, peak, exports))
        if not page_cache:
            # The floor of the cache-off run, for bench/breakdown.py below.
            hello_rps = max(r["rps"] for label, _path, r in results if label.startswith("hello"))

    report = "\n".join(
        [
            f"Measured {datetime.date.today().isoformat()} on {machine()}.",
            f"{args.programs:,} generated programs (plus the seed content) on PostgreSQL; "
            f"gunicorn, {args.workers} sync workers, production settings; "
            f"`wrk -t{args.threads} -c{args.connections} -d{args.duration}s` on 127.0.0.1 "
            f"per page after a 2 s warm-up, {args.rounds} rounds over every page in turn; "
            f"each figure is the median of its rounds. "
            f"Cache: {'Redis' if args.redis_url else 'local memory'}.",
            "",
            *sections,
        ]
    )
    print(report)
    if not args.no_write:
        from results import write_section

        write_section(f"Pages, {datetime.date.today().isoformat()} (bench/run.py)", report)

    # Where the time of each page goes with the cache off (bench/breakdown.py), on the same
    # database, with this run's hello to turn the ratios into milliseconds.
    log("Where the time goes (page cache off)")
    command = [PYTHON, "breakdown.py", "--database-url", args.database_url]
    command += ["--redis-url", args.redis_url, "--hello-rps", str(hello_rps)]
    command += ["--workers", str(args.workers)] + (["--no-write"] if args.no_write else [])
    subprocess.run(command, cwd=ROOT / "bench", check=True)


if __name__ == "__main__":
    main()
