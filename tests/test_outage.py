"""
The database goes away under a real gunicorn on PostgreSQL, and comes back: pages answer the
friendly 503 page within a couple of seconds (no stack trace, no hang), /healthz says 503 for
the load balancer, and when the database returns the same gunicorn serves pages again.

The database is made unreachable by a TCP proxy that the test runs between gunicorn and
PostgreSQL: stopping it drops the open connections and refuses new ones, as a database
restart or a network failure does. On the PostgreSQL run it serves the test database; on the
SQLite run it makes a database of its own on the PostgreSQL server at 127.0.0.1:5432
(DIRECTORY_TEST_POSTGRES names another), and is skipped, saying so, where none answers
(CI, which starts one, fails instead).
"""

import contextlib
import json
import os
import socket
import threading
import time

import pytest
from django.db import connection

from tests.conftest import REQUIRE_ALL
from tests.servers import fetch, manage, production_env, running_gunicorn

# The test database with the seed content, committed before the tests; gunicorn reads it
# on the PostgreSQL run.
pytestmark = pytest.mark.django_db

POSTGRES_SERVER = os.environ.get("DIRECTORY_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")


@pytest.fixture
def postgres_database(tmp_path):
    """(host, port, user, name) of a PostgreSQL database holding the seed content."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
        yield settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432), user, settings["NAME"]
        return
    import psycopg

    try:
        admin = psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        reason = f"no PostgreSQL server at {POSTGRES_SERVER}: database outage test"
        if REQUIRE_ALL:
            pytest.fail(reason + " cannot run, and CI skips none")
        pytest.skip(reason + " skipped (apt-get install postgresql)")
    name = f"outage_{os.getpid()}"
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    env = production_env(tmp_path, DATABASE_URL=f"{POSTGRES_SERVER}/{name}")
    for args in (["migrate", "--noinput", "-v0"], ["load_seed"]):
        result = manage(env, *args)
        assert result.returncode == 0, result.stderr
    server = POSTGRES_SERVER.split("://", 1)[1]
    user, address = server.rsplit("@", 1)
    host, _, port = address.partition(":")
    yield host, int(port or 5432), user, name
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a server; `stop()` closes every connection and refuses
    new ones, `start()` listens again on the same port."""

    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
        self.port = None
        self.listener = None
        self.sockets = set()
        self.lock = threading.Lock()

    def start(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port or 0))
        self.port = self.listener.getsockname()[1]
        self.listener.listen(64)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def stop(self):
        # shutdown() first: it wakes the thread blocked in accept(), which close() alone
        # does not, and would leave the port listening.
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.sockets.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # stopped
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.sockets |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def site_through_proxy(tmp_path, postgres_database):
    """gunicorn in production mode on the database, reached through the proxy."""
    host, port, user, name = postgres_database
    proxy = TcpProxy(host, port)
    proxy.start()
    env = production_env(
        tmp_path,
        DJANGO_HTTPS="0",
        DATABASE_URL=f"postgres://{user}@127.0.0.1:{proxy.port}/{name}",
        EMAIL_URL="dummymail://",
    )
    result = manage(env, "collectstatic", "--noinput", "-v0")
    assert result.returncode == 0, result.stderr
    with running_gunicorn(env, workers=2) as base:
        yield base, proxy
    proxy.stop()


def timed(url):
    started = time.monotonic()
    status, headers, body = fetch(url)
    return status, headers, body, time.monotonic() - started


def test_database_outage_gives_503_quickly_and_recovers_without_restart(site_through_proxy):
    base, proxy = site_through_proxy
    for path in ["/programs/", "/healthz"]:
        assert fetch(base + path)[0] == 200, path

    proxy.stop()
    for path in ["/programs/", "/programs/nuevo-amanecer/", "/programs/?q=cleft", "/"]:
        status, headers, body, seconds = timed(base + path)
        assert status == 503, (path, status)
        assert seconds < 2, (path, seconds)
        assert b"Temporarily unavailable" in body
        assert b"Traceback" not in body and b"OperationalError" not in body
        assert headers["Retry-After"] == "30"
    status, _headers, body, seconds = timed(base + "/healthz")
    assert status == 503 and seconds < 2
    report = json.loads(body)
    assert report["status"] == "unavailable"
    assert report["database"].startswith("error")
    assert report["cache"] == "ok"

    proxy.start()  # the database is back; gunicorn is not restarted
    deadline = time.monotonic() + 10
    while fetch(base + "/programs/")[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    for _ in range(4):  # every worker, whichever answers
        assert fetch(base + "/programs/")[0] == 200
        assert fetch(base + "/healthz")[0] == 200
