"""Backup and restore: the whole directory, pending work and history included, moves into an
empty database and comes back identical."""

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def sqlite_env(path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(DJANGO_DEBUG="1", DATABASE_URL=f"sqlite:///{path}")
    return env


def add_history(env):
    """Rows of every kind a backup must keep: a pending program, a staff user, an admin log
    entry."""
    run(
        env,
        "shell",
        "-c",
        "from django.contrib.admin.models import LogEntry, CHANGE\n"
        "from django.contrib.auth.models import User\n"
        "from programs.models import Program, Organization\n"
        "org = Organization.objects.create(name='Backup org', slug='backup-org')\n"
        # A gap in the ids: restored rows must keep theirs, or the history points elsewhere.
        "Program.objects.create(organization=org, name='Gone', slug='gone').delete()\n"
        "p = Program.objects.create(organization=org, name='Pending one', slug='pending-one')\n"
        "u = User.objects.create_user('reviewer', 'r@example.org', 'x', is_staff=True)\n"
        "LogEntry.objects.log_actions(u.pk, [p], CHANGE, change_message='Checked')\n"
        "from submissions.models import Submission, ChangeRequest\n"
        "Submission.objects.create(reference='S-BACKUP22', program=p, submitter_name='A',"
        " submitter_email='a@example.org')\n"
        "ChangeRequest.objects.create(reference='U-BACKUP22', program=p, kind='ended',"
        " proposed={'min_commitment': 'One week'})\n",
    )


def read(path):
    return json.loads(gzip.decompress(Path(path).read_bytes()))


@pytest.fixture
def target_env(tmp_path):
    """An empty database to restore into: PostgreSQL when the suite runs on PostgreSQL (a
    new database, dropped afterwards), so that the dump is shown to move between engines."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield sqlite_env(tmp_path / "target.sqlite3")
        return
    import psycopg

    name = f"restore_{os.getpid()}"
    server = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    env = sqlite_env(tmp_path / "unused.sqlite3")
    env["DATABASE_URL"] = f"{server}/{name}"
    yield env
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_restores_into_an_empty_database_identically(tmp_path, target_env):
    source = sqlite_env(tmp_path / "source.sqlite3")
    run(source, "migrate", "--noinput", "-v0")
    run(source, "load_seed")
    add_history(source)
    run(source, "backup_directory", str(tmp_path / "backup.json.gz"))

    target = target_env
    run(target, "migrate", "--noinput", "-v0")
    run(target, "restore_directory", str(tmp_path / "backup.json.gz"))
    run(target, "backup_directory", str(tmp_path / "again.json.gz"))

    original, restored = read(tmp_path / "backup.json.gz"), read(tmp_path / "again.json.gz")
    assert restored == original
    # Left out of the backup, the kept filter counts (PostgreSQL) are rebuilt by the restore.
    check = run(
        target,
        "shell",
        "-c",
        "from collections import Counter\n"
        "from django.db import connection\n"
        "from programs.models import FilterCount, Program\n"
        "tokens = Counter()\n"
        "for f in Program.objects.published().values_list('search_filters', flat=True):\n"
        "    tokens.update(['', *f.split()])\n"
        "kept = {t: n for t, n in FilterCount.objects.as_dict().items() if n}\n"
        "postgresql = connection.vendor == 'postgresql'\n"
        "print('counts right:', kept == dict(tokens) if postgresql else not kept)\n",
    )
    assert "counts right: True" in check.stdout
    models = {row["model"] for row in original}
    assert {
        "programs.program",
        "programs.contact",
        "auth.user",
        "admin.logentry",
        "submissions.submission",
        "submissions.changerequest",
    } <= models
    statuses = {r["fields"]["status"] for r in original if r["model"] == "programs.program"}
    assert statuses == {"published", "pending"}
    pending = next(
        r
        for r in original
        if r["model"] == "programs.program" and r["fields"]["slug"] == "pending-one"
    )
    entry = next(r for r in original if r["model"] == "admin.logentry")
    assert entry["fields"]["object_id"] == str(pending["pk"])


def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    env = sqlite_env(tmp_path / "db.sqlite3")
    run(env, "migrate", "--noinput", "-v0")
    run(env, "load_seed")
    run(env, "backup_directory", str(tmp_path / "backup.json"))
    result = subprocess.run(
        [sys.executable, "manage.py", "restore_directory", str(tmp_path / "backup.json")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "not empty" in result.stderr
