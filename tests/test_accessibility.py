"""
Every public page of the seed content, in each interface language (Accept-Language): no
serious or critical axe-core violation in a real Chromium, and no error from the Nu HTML
checker. The pages are found by walking the URL resolver (tests/public_urls.py), so a page
added later is checked too. axe-core and vnu.jar come from npm (package-lock.json), Java from
Debian; bin/test installs them.
"""

import json
import shutil
import subprocess

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from tests.conftest import AXE, MISSIONS_SEED, VNU, require_tool
from tests.public_urls import seed_pages

LANGUAGES = ["en", "de", "es", "fr"]
SERIOUS = {"serious", "critical"}


def pages_to_check():
    """The seed's pages, the 404 page, and the submission form with its errors."""
    return [*seed_pages(), "/no-such-page/"]


# --- axe-core in Chromium --------------------------------------------------------------------

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " " + n.failureSummary),
  }));
}"""


@pytest.mark.browser
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_passes_axe_in_every_language(browser, live_server, seeded, language):
    require_tool(AXE.exists(), f"axe-core not found at {AXE}: run `npm ci` (bin/test does)")
    call_command("loaddata", MISSIONS_SEED, verbosity=0)
    axe = AXE.read_text()
    context = browser.new_context(
        locale=language, extra_http_headers={"Accept-Language": f"{language},en;q=0.5"}
    )
    page = context.new_page()
    problems, checked = [], 0
    for path in pages_to_check():
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.lang") == language, path
        # Evaluated through the browser's debugging protocol: the site's CSP, which blocks
        # injected <script> elements, does not apply.
        page.evaluate(axe)
        for violation in page.evaluate(AXE_RUN):
            if violation["impact"] in SERIOUS:
                problems.append((path, violation))
        checked += 1
    context.close()
    assert checked >= 12
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)


# --- The Nu HTML checker ---------------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_is_valid_html_in_every_language(tmp_path, missions_seeded):
    require_tool(VNU.exists(), f"vnu.jar not found at {VNU}: run `npm ci` (bin/test does)")
    java = shutil.which("java")
    require_tool(java, "java not found: apt-get install -y default-jre-headless (bin/test does)")
    files = {}
    for language in LANGUAGES:
        client = Client(headers={"accept-language": language})
        cache.clear()
        responses = [(path, client.get(path)) for path in pages_to_check()]
        responses.append(("/submit/ with errors", client.post("/submit/", {"name": "x"})))
        for path, response in responses:
            assert response.status_code in (200, 400, 404), path
            name = f"{language}-{len(files):03d}.html"
            (tmp_path / name).write_bytes(response.content)
            files[name] = f"{path} [{language}]"
    # One Java start for every file.
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *sorted(files)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{files.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))} line "
        f"{m.get('lastLine')}: {m.get('message')} [{m.get('extract', '')!r}]"
        for m in messages
        if m.get("type") == "error"
    ]
    assert len(files) >= 4 * 13
    assert not errors, "\n".join(errors)
    assert result.returncode == 0, result.stderr[-2000:]
