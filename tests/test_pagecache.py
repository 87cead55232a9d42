"""The page cache: anonymous visitors get stored pages, every change to the content shows on
the next request, and nothing personal is ever stored or served."""

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from directory import pagecache
from missions.filters import MissionFilter
from missions.views import ImpactForm
from programs.filters import ProgramFilter
from programs.models import Organization, Place, Program, Specialty
from submissions import services
from submissions.models import ChangeRequest
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/programs/",
    "/programs/?q=cleft&country=GT",
    "/programs/nuevo-amanecer/",
    "/countries/",
    "/countries/mx/",
    "/specialties/",
    "/specialties/burns/",
    "/organizations/nuevo-amanecer/",
    "/missions/",
    "/impact/",
    "/missions/calendar.ics",
    "/sitemap.xml",
    "/sitemap-programs.xml",
]


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE = True
    cache.clear()


def fetch(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    return response


@pytest.mark.parametrize("url", PAGES)
def test_the_second_anonymous_visit_is_served_from_the_cache(client, url):
    first = fetch(client, url)
    assert first["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = fetch(Client(), url)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert len(queries) == 0
    # Served from the cache or not, the page carries the same protective headers.
    for header in ["Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"]:
        assert second.has_header(header), header


def test_the_cache_is_off_unless_asked(client, settings):
    settings.PAGE_CACHE = False
    fetch(client, "/programs/")
    assert not fetch(client, "/programs/").has_header("X-Page-Cache")


def test_a_newly_published_program_shows_on_the_next_request(client, admin_user):
    fetch(client, "/programs/")
    fetch(client, "/")
    pending = ProgramFactory(name="Quokka outreach", pending=True, places=["PE"])
    assert "Quokka outreach" not in fetch(client, "/programs/").content.decode()
    pending.publish()
    pending.save()
    response = fetch(client, "/programs/")
    assert response["X-Page-Cache"] == "miss"
    assert "Quokka outreach" in response.content.decode()
    assert fetch(client, "/").context["totals"]["programs"] == 20


def test_an_approved_submission_shows_on_the_next_request(client, admin_user):
    from tests.factories import submission_post

    fetch(client, "/programs/?q=Cusco")
    client.post("/submit/", submission_post())
    cache_hit = fetch(client, "/programs/?q=Cusco")
    assert cache_hit.context is None or cache_hit.context["result_count"] == 0
    submission = services.Submission.objects.get()
    services.approve_submission(submission, by=admin_user)
    assert "Andes Cleft Team" in fetch(client, "/programs/?q=Cusco").content.decode()


def test_an_edit_in_the_admin_shows_on_the_next_request(client, admin_client):
    fetch(client, "/programs/nuevo-amanecer/")
    organization = Organization.objects.get(slug="nuevo-amanecer")
    admin_client.post(
        reverse("admin:programs_organization_change", args=[organization.pk]),
        {
            "name": "Amanecer Renamed",
            "slug": organization.slug,
            "description": "",
            "website": "",
            "phone": "",
        },
    )
    assert "Amanecer Renamed" in fetch(client, "/programs/nuevo-amanecer/").content.decode()


def test_related_rows_and_their_links_invalidate_too(client):
    program = Program.objects.get(slug="nuevo-amanecer")
    fetch(client, "/countries/pe/")
    Place.objects.create(program=program, country="PE", locality="Arequipa")
    assert "Nuevo Amanecer" in fetch(client, "/countries/pe/").content.decode()
    fetch(client, "/specialties/noma/")
    program.specialties.add(Specialty.objects.get(slug="noma"))
    assert "Nuevo Amanecer" in fetch(client, "/specialties/noma/").content.decode()
    program.specialties.clear()
    assert "Nuevo Amanecer" not in fetch(client, "/specialties/noma/").content.decode()


def test_a_deleted_or_archived_program_leaves_at_once(client):
    fetch(client, "/programs/")
    program = Program.objects.get(slug="nuevo-amanecer")
    program.archive()
    program.save()
    assert "Nuevo Amanecer Program" not in fetch(client, "/programs/").content.decode()
    assert client.get("/programs/nuevo-amanecer/").status_code == 404


def test_reloading_the_seed_invalidates(client):
    fetch(client, "/programs/")
    Program.objects.filter(slug="nuevo-amanecer").update(name="Changed by update()")
    # update() sends no signal: the commands that write in bulk say so themselves.
    assert fetch(client, "/programs/")["X-Page-Cache"] == "hit"
    call_command("load_seed", "--force", verbosity=0)
    pagecache_version = cache.get(pagecache.VERSION_KEY)
    assert pagecache_version
    assert fetch(client, "/programs/")["X-Page-Cache"] == "miss"


def test_signed_in_staff_are_never_served_from_or_stored_in_the_cache(client, admin_client):
    fetch(client, "/programs/nuevo-amanecer/")  # stored for anonymous visitors
    response = admin_client.get("/programs/nuevo-amanecer/")
    assert not response.has_header("X-Page-Cache")
    assert response.context is not None  # rendered for them
    # Nothing the staff member saw was stored either.
    cache.clear()
    admin_client.get("/programs/")
    assert fetch(client, "/programs/")["X-Page-Cache"] == "miss"


def test_signed_in_members_bypass_the_cache(client):
    member = User.objects.create_user("member", "m@example.org", "pw")
    client.force_login(member)
    client.get("/programs/")
    assert not client.get("/programs/").has_header("X-Page-Cache")


def test_forms_are_never_cached(client):
    for url in ["/submit/", "/programs/nuevo-amanecer/suggest/", "/accounts/login/"]:
        client.get(url)
        response = client.get(url)
        assert not response.has_header("X-Page-Cache"), url
    response = client.post("/submit/", {"name": ""})
    assert response.status_code == 400
    assert not response.has_header("X-Page-Cache")


def test_a_waiting_message_is_shown_to_its_visitor_only(client):
    fetch(Client(), "/programs/nuevo-amanecer/")  # a cached copy exists
    program = Program.objects.get(slug="nuevo-amanecer")
    data = {name: getattr(program, name) for name in ChangeRequest.PROPOSABLE_FIELDS}
    data.update(kind="ended", message="", reporter_name="", reporter_email="", website_url="")
    response = client.post("/programs/nuevo-amanecer/suggest/", data, follow=True)
    assert "Thank you. Your update" in response.content.decode()
    # Another visitor gets the page without it.
    other = fetch(Client(), "/programs/nuevo-amanecer/")
    assert "Thank you. Your update" not in other.content.decode()


def test_each_language_has_its_own_copy(client):
    english = fetch(Client(), "/programs/", HTTP_ACCEPT_LANGUAGE="en")
    german = fetch(Client(), "/programs/", HTTP_ACCEPT_LANGUAGE="de")
    assert german["X-Page-Cache"] == "miss"
    assert 'lang="de"' in german.content.decode()
    assert 'lang="en"' in english.content.decode()
    assert "Accept-Language" in german["Vary"]


def test_error_pages_and_redirects_are_not_stored(client):
    assert client.get("/programs/no-such-program/").status_code == 404
    assert client.get("/countries/PE/").status_code == 301
    assert not [key for key in cache._cache if "no-such-program" in str(key) or "/PE/" in str(key)]


def test_a_submission_arriving_leaves_the_cached_pages_alone(client):
    from tests.factories import submission_post

    fetch(client, "/programs/")
    visitor = Client()
    visitor.post("/submit/", submission_post())
    assert services.Submission.objects.count() == 1
    assert fetch(Client(), "/programs/")["X-Page-Cache"] == "hit"


def test_a_rejection_leaves_the_cached_pages_alone_and_an_approval_does_not(client, admin_user):
    from tests.factories import submission_post

    for n in range(2):
        Client().post("/submit/", submission_post(name=f"Entry {n}", organization_name=f"Org {n}"))
    fetch(client, "/programs/")
    first, second = services.Submission.objects.order_by("pk")
    services.reject_submission(first, by=admin_user, reason="Not surgical")
    assert fetch(Client(), "/programs/")["X-Page-Cache"] == "hit"
    services.approve_submission(second, by=admin_user)
    assert fetch(Client(), "/programs/")["X-Page-Cache"] == "miss"


def test_a_lost_version_does_not_bring_old_pages_back(client):
    # The cache can lose the version (eviction, a restart) and keep pages, or the process its
    # own copies: the version set afresh must not be one an old page was stored under.
    cache.set(pagecache.VERSION_KEY, 1, timeout=None)
    assert "Quokka outreach" not in fetch(client, "/programs/").content.decode()
    cache.delete(pagecache.VERSION_KEY)
    ProgramFactory(name="Quokka outreach", places=["PE"])  # published: bumps the version
    response = fetch(Client(), "/programs/")
    assert response["X-Page-Cache"] == "miss"
    assert "Quokka outreach" in response.content.decode()


def test_a_page_stored_by_another_process_replaces_this_process_copy(client):
    fetch(client, "/programs/")
    # Another app server renders the page after a change: this process's copy is outdated,
    # and the shared cache has the fresh page.
    ProgramFactory(name="Quokka outreach", places=["PE"])
    pagecache.RECENT_PAGES._pages.clear()
    fresh = fetch(Client(), "/programs/")
    assert fresh["X-Page-Cache"] == "miss"
    key = next(iter(pagecache.RECENT_PAGES._pages))
    pagecache.RECENT_PAGES.put(key, (0, b"outdated copy", {}, 1e12))
    again = fetch(Client(), "/programs/")
    assert again["X-Page-Cache"] == "hit"
    assert again.content == fresh.content


def test_copies_kept_by_the_process_expire_and_stay_within_their_size():
    recent = pagecache.RecentPages(max_bytes=800)
    recent.put("old", (1, b"x" * 50, {}, 0))  # expired long ago
    assert recent.get("old") is None
    for n in range(20):
        recent.put(f"page {n}", (1, b"x" * 100, {}, 1e12))
    kept = [n for n in range(20) if recent.get(f"page {n}") is not None]
    assert kept == list(range(12, 20))  # the 8 most recent fit in 800 bytes
    recent.put("too big", (1, b"x" * 200, {}, 1e12))  # over an eighth: not kept at all
    assert recent.get("too big") is None and recent.get("page 19") is not None


def test_a_link_with_tracking_parameters_is_served_the_stored_page(client):
    page = fetch(client, "/programs/?q=cleft&country=GT")
    # A newsletter's link, then two clicks from a social network (a new click id each).
    for url in [
        "/programs/?q=cleft&country=GT&utm_source=newsletter&utm_medium=email",
        "/programs/?fbclid=IwAR0a&q=cleft&country=GT",
        "/programs/?q=cleft&fbclid=IwAR1b&country=GT&UTM_Campaign=winter",
    ]:
        response = fetch(Client(), url)
        assert response["X-Page-Cache"] == "hit", url
        assert response.content == page.content


def test_parameters_in_another_order_or_encoding_are_the_same_page(client):
    page = fetch(client, "/programs/?country=GT&country=PE&specialty=cleft-lip-and-palate")
    for url in [
        "/programs/?specialty=cleft-lip-and-palate&country=GT&country=PE",
        "/programs/?country=GT&specialty=cleft%2Dlip%2Dand%2Dpalate&country=PE",
    ]:
        response = fetch(Client(), url)
        assert response["X-Page-Cache"] == "hit", url
        assert response.content == page.content
    # The order of one filter's values is kept: it is the order of the filter's chips.
    assert fetch(Client(), "/programs/?country=PE&country=GT")["X-Page-Cache"] == "miss"


def test_a_page_rendered_for_a_tracked_link_carries_no_tracking_parameter(client):
    response = fetch(client, "/programs/?utm_source=newsletter&q=cleft&fbclid=IwAR0a")
    assert response["X-Page-Cache"] == "miss"
    html = response.content.decode()
    assert "utm_source" not in html and "fbclid" not in html
    # The links built from the query (exports, language switcher) keep what the page reads.
    assert "/export/programs.csv?q=cleft" in html
    # Stored under the clean address: a visit to it is a hit.
    assert fetch(Client(), "/programs/?q=cleft")["X-Page-Cache"] == "hit"


def test_parameters_no_page_reads_are_served_the_stored_page(client):
    # Anybody can add a parameter to a link; each new one rendered and stored one more copy.
    for page, padded in [
        ("/", "/?x=1"),
        ("/programs/nuevo-amanecer/", "/programs/nuevo-amanecer/?ref=twitter&x=%00"),
        ("/programs/?q=cleft", "/programs/?q=cleft&view=grid&page_size=500"),
        ("/missions/?when=past", "/missions/?when=past&q=cleft"),
        ("/impact/?metric=patients", "/impact/?a=1&metric=patients"),
    ]:
        stored = fetch(client, page)
        response = fetch(Client(), padded)
        assert response["X-Page-Cache"] == "hit", padded
        assert response.content == stored.content
    # Nor are they carried into the page's own links.
    html = fetch(Client(), "/programs/?q=lip&unknown=zz").content.decode()
    assert "unknown" not in html and "q=lip" in html


@pytest.mark.parametrize(
    "view",
    ["programs:list", "programs:country", "missions:list", "missions:impact"],
)
def test_every_field_of_a_page_form_is_a_parameter_it_keeps(view):
    kwargs = {"code": "pe"} if view == "programs:country" else {}
    view_class = resolve(reverse(view, kwargs=kwargs)).func.view_class
    form = {
        "programs:list": lambda: ProgramFilter().form,
        "programs:country": lambda: ProgramFilter().form,
        "missions:list": lambda: MissionFilter().form,
        "missions:impact": ImpactForm,
    }[view]()
    assert set(form.fields) <= view_class.query_parameters


def test_parameters_a_page_reads_are_never_dropped(client):
    fetch(client, "/impact/")
    assert fetch(Client(), "/impact/?metric=patients")["X-Page-Cache"] == "miss"
    fetch(client, "/missions/")
    assert fetch(Client(), "/missions/?when=past")["X-Page-Cache"] == "miss"
    assert fetch(Client(), "/missions/?from=2027-03")["X-Page-Cache"] == "miss"
    fetch(client, "/programs/")
    assert fetch(Client(), "/programs/?page=2")["X-Page-Cache"] == "miss"
    assert fetch(Client(), "/programs/?countries=all")["X-Page-Cache"] == "miss"
    fetch(client, "/sitemap-programs.xml")
    # The sitemap reads its page: there is no second page of these few programs.
    assert Client().get("/sitemap-programs.xml?p=2").status_code == 404
