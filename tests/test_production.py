"""Production mode: settings that fail safe, `check --deploy` clean, and gunicorn serving
pages and whitenoise's compressed, hashed static files with DEBUG off."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECRET = "test-only-" + "x" * 60


def production_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,directory.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_missing_secret_key_stops_production(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_SECRET_KEY"]
    result = manage(env, "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    env = production_env(tmp_path_factory.mktemp("production"), DJANGO_HTTPS="0")
    for args in (["migrate", "--noinput"], ["load_seed"], ["collectstatic", "--noinput"]):
        result = manage(env, *args)
        assert result.returncode == 0, result.stderr
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "directory.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)


def fetch(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_gunicorn_serves_pages_and_hashed_static_files(gunicorn):
    status, headers, body = fetch(gunicorn + "/programs/")
    assert status == 200
    assert b"19 programs" in body
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    css = body.split(b'rel="stylesheet" href="')[1].split(b'"')[0].decode()
    assert css.startswith("/static/css/site.") and css.count(".") == 2  # a hashed name
    status, headers, _body = fetch(gunicorn + css, **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]


def test_production_404_is_the_sites_own_page(gunicorn):
    status, _headers, body = fetch(gunicorn + "/programs/no-such-program/")
    assert status == 404
    assert b"Page not found" in body
    assert b"Traceback" not in body


def test_unknown_host_is_refused(gunicorn):
    status, _headers, _body = fetch(gunicorn + "/", Host="evil.example.com")
    assert status == 400
