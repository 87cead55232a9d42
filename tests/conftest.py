import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# database access from the test code of browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "seed.json"
MISSIONS_SEED = ROOT / "fixtures" / "missions.json"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# Debian's Chromium, headless, with nothing that reaches out to the network by itself.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# CI sets this so that a missing tool fails the run instead of skipping tests.
REQUIRE_ALL = os.environ.get("DIRECTORY_REQUIRE_ALL_TESTS") == "1"
# From npm (package-lock.json; bin/test installs them): axe-core and the Nu HTML checker.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def require_tool(present, reason):
    """Skip the test with `reason` when a tool is missing, or fail it in CI, which skips
    nothing."""
    if present:
        return
    if REQUIRE_ALL:
        pytest.fail(f"{reason}, and CI (DIRECTORY_REQUIRE_ALL_TESTS=1) skips no test")
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    reason = f"Chromium not found at {CHROMIUM}: browser test skipped (apt-get install chromium)"
    if REQUIRE_ALL:
        raise pytest.UsageError(reason.replace("skipped", "cannot run") + " and CI skips none")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_terminal_summary(terminalreporter):
    # The number of property-based cases that ran (tests/test_fuzz.py), by URL family.
    fuzz = __import__("sys").modules.get("tests.test_fuzz")
    if fuzz and fuzz.CASES:
        terminalreporter.write_sep("-", f"hypothesis: {sum(fuzz.CASES.values())} cases")
        for family, count in sorted(fuzz.CASES.items()):
            terminalreporter.write_line(f"{count:6}  {family}")


def load_seed_content():
    from programs.models import Program

    call_command("loaddata", SEED, verbosity=0)
    Program.objects.all().refresh_search()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the seed content: the real programs are the
    best test data there is. Tests that flush the database reload it (`seeded`)."""
    with django_db_blocker.unblock():
        load_seed_content()


@pytest.fixture
def seeded(transactional_db):
    """For transactional tests (live server, browser): the database is flushed after each,
    so the seed content is loaded again for each."""
    load_seed_content()


@pytest.fixture
def missions_seeded(db):
    """The seed's missions and impact figures too, for tests that go through every page."""
    call_command("loaddata", MISSIONS_SEED, verbosity=0)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's default language. LocaleMiddleware activates each
    request's language in the thread and leaves it there, so a test that renders a date or a
    label outside a request would otherwise speak the language of the test before it."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing is slow by design; tests sign in many times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": True,
    }
