"""Two app servers, one database and one Redis: nothing lives in an app server. A program
approved through one is seen through the other at once (no stale cached page), and the
submission rate limit counts across both.

Runs real gunicorn processes in production settings with the page cache on, against the
suite's kind of database (a new PostgreSQL database in the PostgreSQL run, a shared SQLite
file otherwise) and the Redis server on 127.0.0.1:6379."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.conftest import REQUIRE_ALL
from tests.factories import submission_post
from tests.servers import ROOT, free_port, manage, production_env

REDIS = ("127.0.0.1", 6379)


def redis_available():
    try:
        with socket.create_connection(REDIS, timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path_factory.mktemp('shared') / 'shared.sqlite3'}"
        return
    import psycopg

    name = f"two_servers_{os.getpid()}"
    server = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def servers(tmp_path_factory, database_url):
    if not redis_available():
        reason = "Redis not answering on 127.0.0.1:6379: two-server test"
        if REQUIRE_ALL:
            pytest.fail(reason + " cannot run, and CI skips none")
        pytest.skip(reason + " skipped (apt-get install redis-server)")
    env = production_env(
        tmp_path_factory.mktemp("two"),
        DJANGO_HTTPS="0",
        DATABASE_URL=database_url,
        REDIS_URL=f"redis://{REDIS[0]}:{REDIS[1]}/{7 + os.getpid() % 8}",
        DIRECTORY_PAGE_CACHE="1",
        DIRECTORY_SUBMISSION_RATE_LIMIT="3",
    )
    for args in (
        ["migrate", "--noinput"],
        ["load_seed"],
        ["collectstatic", "--noinput"],
        [
            "shell",
            "-c",
            "from django.contrib.auth.models import User; "
            "User.objects.create_superuser('boss', 'boss@example.org', 'a-long-password-7');"
            "from django.core.cache import cache; cache.clear()",
        ],
    ):
        result = manage(env, *args)
        assert result.returncode == 0, result.stderr
    processes, bases = [], []
    for _ in range(2):
        port = free_port()
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "directory.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    for base in bases:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
    yield bases
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


class Browser:
    """A visitor with cookies, over real HTTP."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path):
        try:
            with self.opener.open(self.base + path, timeout=20) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def post(self, path, data):
        _status, _headers, page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True)
        request = urllib.request.Request(
            self.base + path, data=body.encode(), headers={"Referer": self.base + path}
        )
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode()


def test_a_program_approved_on_one_server_shows_on_the_other(servers):
    one, two = servers
    visitor = Browser(two)
    # Both servers have the list cached before the change.
    for _ in range(2):
        status, headers, page = visitor.get("/programs/?q=Cusco")
        assert status == 200 and "0 programs" in page
    assert headers.get("X-Page-Cache") == "hit"

    status, url, _page = Browser(one).post("/submit/", submission_post())
    assert url.endswith("/submit/thanks/")

    staff = Browser(one)
    status, url, _page = staff.post(
        "/admin/login/?next=/admin/", {"username": "boss", "password": "a-long-password-7"}
    )
    assert url.endswith("/admin/")
    status, _headers, listing = staff.get("/admin/submissions/submission/?status__exact=pending")
    change = re.search(r'href="(/admin/submissions/submission/\d+/change/)', listing).group(1)
    approve = change.replace("/change/", "/approve/")
    _status, _headers, page = staff.get(change)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    request = urllib.request.Request(
        one + approve,
        data=urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode(),
        headers={"Referer": one + change},
    )
    with staff.opener.open(request, timeout=20) as response:
        assert "Approved and published" in response.read().decode()

    status, headers, page = visitor.get("/programs/?q=Cusco")
    assert status == 200
    assert "Andes Cleft Team" in page
    assert headers.get("X-Page-Cache") == "miss"


def test_the_submission_rate_limit_holds_across_both_servers(servers):
    one, two = servers
    results = []
    for n, base in enumerate([one, two, one, two]):
        data = submission_post(name=f"Rate limited {n}", organization_name=f"Org {n}")
        results.append(Browser(base).post("/submit/", data)[0])
    # 3 an hour per address, wherever they arrive (the test above may have sent one): with
    # separate counters per server, all four would have been accepted.
    assert set(results) <= {200, 429}
    assert results.count(200) <= 3
    first_refusal = results.index(429)
    assert results[first_refusal:] == [429] * (4 - first_refusal)
