"""The interface in German, Spanish and French: every page in each language without an
English interface string left, complete and compiled catalogues, the language switcher, and
country names, dates and numbers in the visitor's language. Content (program names and
descriptions) stays in the language it was written in and is not checked."""

import datetime
import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from programs.models import Program

from .conftest import ROOT
from .factories import ProgramFactory, submission_post
from .mission_factories import ImpactFigureFactory, MissionFactory

LOCALE = ROOT / "locale"
LANGUAGES = ["de", "es", "fr"]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]")


def catalogue_path(language, suffix="po"):
    return LOCALE / language / "LC_MESSAGES" / f"django.{suffix}"


@functools.cache
def catalogue(language):
    return polib.pofile(str(catalogue_path(language)))


def _pattern(text):
    """A regular expression for an English interface string as it shows on a page: its
    placeholders stand for anything, its HTML tags split it into text nodes (the first
    one is enough to spot it)."""
    text = re.split(r"<[^>]+>", text)[0].strip()
    if not re.search(r"[A-Za-z]{2}", PLACEHOLDER.sub("", text)):
        return None  # only placeholders and punctuation: nothing English to see
    parts = PLACEHOLDER.split(text)
    return r"\s*".join(re.escape(part.strip()) if part.strip() else "" for part in parts)


@functools.cache
def untranslated_patterns(language):
    """One regular expression matching any English string of the catalogue whose translation
    in `language` differs from it ("Status" is "Status" in German too, and may show)."""
    patterns = set()
    for entry in catalogue(language):
        if entry.msgid_plural:
            translations = set(entry.msgstr_plural.values())
            sources = [entry.msgid, entry.msgid_plural]
        else:
            translations = {entry.msgstr}
            sources = [entry.msgid]
        for source in sources:
            if source not in translations and (pattern := _pattern(source)):
                patterns.add(pattern)
    return re.compile("|".join(sorted(patterns, key=len, reverse=True)))


class PageText(HTMLParser):
    """The text a visitor reads or hears: text nodes, and the attributes that browsers
    show or screen readers announce. Hidden inputs (values such as "other") are left out."""

    SPOKEN = {"title", "aria-label", "placeholder", "alt"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.strings, self._skip, self.lang, self._foreign = [], 0, None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif attrs.get("lang", self.lang) != self.lang:
            # Declared in another language: the switcher names each language in its own.
            self._foreign.append(tag)
            self._skip += 1
        if tag in ("script", "style"):
            self._skip += 1
        for name in self.SPOKEN & attrs.keys():
            self.strings.append(attrs[name])
        if tag == "meta" and attrs.get("name") == "description":
            self.strings.append(attrs.get("content") or "")
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
            self.strings.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        if self._foreign and self._foreign[-1] == tag:
            self._foreign.pop()
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.strings.append(data)


def page_text(html):
    parser = PageText()
    parser.feed(html)
    strings = []
    for string in parser.strings:
        string = " ".join(string.split())
        # A page title joins several strings: "Programs · Humanitarian Surgery Directory".
        strings += [string, *(part.strip() for part in string.split(" · "))]
    return parser.lang, [s for s in strings if s]


def english_left(html, language):
    pattern = untranslated_patterns(language)
    lang, strings = page_text(html)
    return lang, sorted({s for s in strings if pattern.fullmatch(s)})


# --- Every page in every language -------------------------------------------------------


@pytest.fixture
def site(db):
    """A mission with a team and results, and a program verified on a known day, beside the
    seed content, so that every part of the pages has something to show."""
    program = Program.objects.published().get(slug="smile-network-international")
    mission = MissionFactory(
        program=program,
        slug="upcoming-mission",
        start_on=datetime.date(2099, 3, 10),
        end_on=datetime.date(2099, 3, 16),
        team=[{"role": "surgeon", "count": 2, "open_places": 1}],
    )
    ImpactFigureFactory(mission=mission, scope="mission", metric="surgeries", value=1200)
    past = MissionFactory(
        program=program,
        slug="past-mission",
        completed=True,
        start_on=datetime.date(2020, 3, 1),
        end_on=datetime.date(2020, 3, 7),
        team_size=7,
        volunteer_countries=["AR", "NL"],
        results="Forty children operated on.",
    )
    ImpactFigureFactory(
        mission=past, scope="mission", metric="surgeries", value=40, wording="40 children"
    )
    return {"mission": mission}


PAGES = {
    "home": ("/", 200),
    "list": ("/programs/", 200),
    "list-filtered": (
        "/programs/?q=cleft&country=PE&country=XX&region=latin-america&trainees=maybe"
        "&specialty=cleft-lip-and-palate&role=surgeon&frequency=per-year&sort=verified",
        200,
    ),
    "list-empty": ("/programs/?country=PE&specialty=noma", 200),
    "list-page-beyond": ("/programs/?page=9", 200),
    "program": ("/programs/smile-network-international/", 200),
    "organization": ("/organizations/smile-network-international/", 200),
    "countries": ("/countries/", 200),
    "country": ("/countries/gt/", 200),
    "specialties": ("/specialties/", 200),
    "specialty": ("/specialties/cleft-lip-and-palate/", 200),
    "missions": ("/missions/", 200),
    "missions-past": ("/missions/?when=past&from=2020-13", 200),
    "mission": ("/missions/upcoming-mission/", 200),
    "past-mission": ("/missions/past-mission/", 200),
    "impact": ("/impact/", 200),
    "impact-bad-metric": ("/impact/?metric=nothing", 200),
    "submit": ("/submit/", 200),
    "submit-errors": ("POST /submit/", 400),
    "thanks": ("/submit/thanks/", 200),
    "suggest": ("/programs/smile-network-international/suggest/", 200),
    "suggest-errors": ("POST /programs/smile-network-international/suggest/", 400),
    "login": ("/accounts/login/", 200),
    "login-errors": ("POST /accounts/login/", 200),
    "mine": ("MEMBER /accounts/submissions/", 200),
    "not-found": ("/no-such-page/", 404),
    "unknown-country": ("/countries/xx/", 404),
}

ERROR_POSTS = {
    "/submit/": submission_post(
        name="", submitter_email="not an address", **{"places-0-country": ""}
    ),
    "/programs/smile-network-international/suggest/": {"kind": "", "reporter_email": "nope"},
    "/accounts/login/": {"username": "nobody", "password": "wrong"},
}


def get_page(client, django_user_model, spec, **headers):
    method, _, path = spec.rpartition(" ")
    if method == "POST":
        return client.post(path, ERROR_POSTS[path], headers=headers)
    if method == "MEMBER":
        client.force_login(django_user_model.objects.create_user("member", "m@example.org"))
    if path == "/submit/thanks/":
        session = client.session
        session["submission_reference"] = "S-000123"
        session.save()
    return client.get(path, headers=headers)


@pytest.mark.parametrize("language", LANGUAGES)
# Not "page": that name is pytest-playwright's fixture, and would make these browser tests.
@pytest.mark.parametrize("page_name", PAGES)
@pytest.mark.parametrize("chosen_by", ["accept-language", "cookie"])
def test_every_page_is_in_the_visitors_language(
    client, django_user_model, site, page_name, language, chosen_by
):
    spec, status = PAGES[page_name]
    headers = {}
    if chosen_by == "accept-language":
        headers["accept-language"] = f"{language}-XX,{language};q=0.9,en;q=0.5"
    else:
        # What the switcher sets; the browser asks for English meanwhile.
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        headers["accept-language"] = "en"
    response = get_page(client, django_user_model, spec, **headers)
    assert response.status_code == status
    assert response["Content-Language"] == language
    lang, english = english_left(response.content.decode(), language)
    assert lang == language
    assert english == []


def test_english_pages_would_be_caught(client, site):
    """The check above sees English strings when there are some."""
    response = client.get("/programs/smile-network-international/")
    lang, english = english_left(response.content.decode(), "de")
    assert lang == "en"
    assert {"Who is needed", "Suggest an update", "Run by", "Skip to content"} <= set(english)


def test_the_check_ignores_content(client, site):
    """Program names and descriptions stay as written: they are not interface strings."""
    response = client.get(
        "/programs/smile-network-international/", headers={"accept-language": "de"}
    )
    html = response.content.decode()
    assert "Smile Network International is a non-profit organization" in html
    assert english_left(html, "de")[1] == []


def test_a_language_outside_the_list_falls_back_to_english(client, db):
    response = client.get("/", headers={"accept-language": "it,pt;q=0.8"})
    assert 'lang="en"' in response.content.decode()


def test_the_cookie_wins_over_the_browsers_language(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get("/", headers={"accept-language": "de"})
    assert '<html lang="fr">' in response.content.decode()


# --- The catalogues ---------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete(language):
    po = catalogue(language)
    assert po.metadata["Language"] == language
    assert not po.metadata_is_fuzzy
    assert po.fuzzy_entries() == []
    assert po.obsolete_entries() == []
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert po.percent_translated() == 100


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_plural_form_is_filled(language):
    po = catalogue(language)
    forms = int(re.search(r"nplurals=(\d+)", po.metadata["Plural-Forms"])[1])
    for entry in po:
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == list(range(forms)), entry.msgid
            assert all(entry.msgstr_plural.values()), entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders_and_markup(language):
    markup = re.compile(r"%\([a-z_]+\)[sd]|<[^>]+>")
    for entry in catalogue(language):
        if entry.msgid_plural:
            pairs = [(entry.msgid, entry.msgstr_plural[0])]
            pairs += [(entry.msgid_plural, s) for i, s in entry.msgstr_plural.items() if i]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, translation in pairs:
            assert sorted(markup.findall(translation)) == sorted(markup.findall(source)), source


def test_catalogues_have_the_same_strings():
    msgids = [{(e.msgctxt, e.msgid) for e in catalogue(language)} for language in LANGUAGES]
    assert msgids[0] == msgids[1] == msgids[2]


# What makemessages reads: the apps' code and the templates.
SOURCES = ["manage.py", "directory", "programs", "missions", "submissions", "templates"]


@functools.cache
def marked_strings():
    """{(context, msgid)} of every string the code and templates mark for translation, as
    `makemessages` extracts them (run on a copy, so the catalogues are left as they are)."""
    if not shutil.which("xgettext"):
        pytest.skip("xgettext (Debian's gettext) is not installed: bin/test installs it")
    copy = tempfile.mkdtemp(prefix="catalogue-")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, f"{copy}/{name}", ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, copy)
    os.makedirs(f"{copy}/locale")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--keep-pot", "-l", "de"],
        cwd=copy,
        env={**os.environ, "DJANGO_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "directory.settings"},
        check=True,
        capture_output=True,
    )
    strings = {(e.msgctxt, e.msgid) for e in polib.pofile(f"{copy}/locale/django.pot") if e.msgid}
    shutil.rmtree(copy)
    return strings


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_holds_every_string_the_code_marks(language):
    """A string marked in the code but missing from a catalogue shows in English; the
    checks above only read what the catalogue holds. The README says how to update them."""
    held = {(e.msgctxt, e.msgid) for e in catalogue(language) if not e.obsolete}
    assert sorted(marked_strings() - held, key=str) == [], "run makemessages (README)"
    assert sorted(held - marked_strings(), key=str) == [], "no longer in the code"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    """The committed .mo (what the site reads; no gettext tool is needed to run it) says
    what the .po says: compilemessages was run after the last change."""
    compiled = {}
    for entry in polib.mofile(str(catalogue_path(language, "mo"))):
        if entry.msgid:
            compiled[(entry.msgctxt, entry.msgid)] = entry.msgstr_plural or entry.msgstr
    source = {
        (entry.msgctxt, entry.msgid): entry.msgstr_plural or entry.msgstr
        for entry in catalogue(language)
    }
    assert compiled == source


# --- The language switcher --------------------------------------------------------------


def test_every_page_has_the_switcher_with_languages_named_in_their_own(client, db):
    html = client.get("/programs/?country=PE&sort=verified").content.decode()
    form = re.search(r'<form class="language-switcher".*?</form>', html, re.S)[0]
    assert f'action="{reverse("set_language")}" method="post"' in form
    assert (
        '<input type="hidden" name="next" value="/programs/?country=PE&amp;sort=verified">' in form
    )
    assert '<label for="language-select">Language</label>' in form
    options = re.findall(r'<option value="(\w+)" lang="\w+"( selected)?>([^<]+)</option>', form)
    assert options == [
        ("en", " selected", "English"),
        ("de", "", "Deutsch"),
        ("es", "", "Español"),
        ("fr", "", "Français"),
    ]
    # Works without JavaScript: a real button, hidden only once the script runs.
    assert 'class="button-small js-hidden">Change language</button>' in form
    assert "data-autosubmit" in form


def test_switcher_sets_the_language_and_returns_to_the_same_page(client, db):
    # No CSRF token in public pages: the switcher must work without one.
    client.handler.enforce_csrf_checks = True
    response = client.post(
        reverse("set_language"), {"language": "es", "next": "/programs/?country=PE&sort=verified"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/programs/?country=PE&sort=verified"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "es" and cookie["httponly"] and cookie["samesite"] == "Lax"
    html = client.get(response["Location"]).content.decode()
    assert '<html lang="es">' in html
    assert '<option value="es" lang="es" selected>Español</option>' in html
    assert "Perú" in html


def test_switcher_refuses_to_send_visitors_elsewhere(client, db):
    response = client.post(
        reverse("set_language"), {"language": "de", "next": "https://evil.example.org/"}
    )
    assert response["Location"] == "/"


def test_a_language_outside_the_list_gives_english_pages(client, db):
    # Django has an Italian catalogue, so set_language accepts "it"; the site does not.
    client.post(reverse("set_language"), {"language": "it", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()


def test_the_switcher_adds_no_token_to_public_pages(client, db):
    """No per-visitor CSRF token in public pages: they stay cacheable."""
    response = client.get("/programs/")
    assert settings.CSRF_COOKIE_NAME not in response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()


# --- Country names, dates and numbers ---------------------------------------------------


@pytest.mark.parametrize(
    ("language", "switzerland", "germany"),
    [
        ("en", "Switzerland", "Germany"),
        ("de", "Schweiz", "Deutschland"),
        ("es", "Suiza", "Alemania"),
        ("fr", "Suisse", "Allemagne"),
    ],
)
def test_country_names_are_in_the_visitors_language(client, db, language, switzerland, germany):
    ProgramFactory(places=["DE"])
    headers = {"accept-language": language}
    assert f">{switzerland}</a>" in client.get("/countries/", headers=headers).content.decode()
    html = client.get("/countries/de/", headers=headers).content.decode()
    assert f"<h1>{germany}</h1>" in html
    # The country filter's option, with its count.
    assert re.search(rf'value="DE" form="filters"[^>]*> <span>{germany} <span class="count">', html)
    # The place form of /submit/ too, which is built once when the module is imported.
    submit = client.get("/submit/", headers=headers).content.decode()
    assert f'<option value="DE">{germany}</option>' in submit


def region_country_names(html, region):
    section = re.search(rf'<section aria-labelledby="region-{region}">.*?</section>', html, re.S)[0]
    return re.findall(r'<li><a href="/countries/\w+/">([^<]+)</a>', section)


def test_countries_are_sorted_by_their_name_in_the_visitors_language(client, db):
    ProgramFactory(places=["EG"])  # Ägypten, Egipto, Égypte
    names = region_country_names(
        client.get("/countries/", headers={"accept-language": "de"}).content.decode(), "africa"
    )
    assert names == ["Ägypten", "Benin", "Tansania", "Togo"]
    names = region_country_names(
        client.get("/countries/", headers={"accept-language": "fr"}).content.decode(), "africa"
    )
    assert names == ["Bénin", "Égypte", "Tanzanie", "Togo"]
    names = region_country_names(
        client.get("/countries/", headers={"accept-language": "de"}).content.decode(),
        "latin-america",
    )
    assert names.index("Kolumbien") > names.index("Haiti")  # Colombia, in English, is before


@pytest.mark.parametrize(
    ("language", "dates", "verified"),
    [
        ("en", "10–16 March 2099", "15 January 2026"),
        ("de", "10.–16. März 2099", "15. Januar 2026"),
        ("es", "10–16 de marzo de 2099", "15 de enero de 2026"),
        ("fr", "10–16 mars 2099", "15 janvier 2026"),
    ],
)
def test_dates_are_written_the_way_each_language_writes_them(
    client, site, language, dates, verified
):
    headers = {"accept-language": language}
    assert dates in client.get("/missions/upcoming-mission/", headers=headers).content.decode()
    assert dates in client.get("/missions/", headers=headers).content.decode()
    program = ProgramFactory(last_verified_on=datetime.date(2026, 1, 15))
    assert verified in client.get(program.get_absolute_url(), headers=headers).content.decode()


@pytest.mark.parametrize(
    ("language", "months"),
    [
        ("en", "March–May 2099"),
        ("de", "März–Mai 2099"),
        ("es", "marzo–mayo de 2099"),
        ("fr", "mars–mai 2099"),
    ],
)
def test_month_names_are_localized(client, db, language, months):
    mission = MissionFactory(month=(2099, 3))
    mission.end_on = datetime.date(2099, 5, 31)
    mission.save()
    html = client.get(mission.get_absolute_url(), headers={"accept-language": language})
    assert months in html.content.decode()


def test_numbers_are_grouped_the_way_each_language_groups_them(client, site):
    assert "1,200" in client.get("/missions/upcoming-mission/").content.decode()
    german = client.get("/missions/upcoming-mission/", headers={"accept-language": "de"})
    assert "<strong>1.200</strong> Operationen" in german.content.decode()


def test_volunteers_countries_are_named_not_coded(client, db):
    mission = MissionFactory(volunteer_countries=["AR", "NL"], team_size=7)
    html = client.get(mission.get_absolute_url(), headers={"accept-language": "de"})
    assert "aus Argentinien, Niederlande" in html.content.decode()
