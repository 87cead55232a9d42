"""The admin is where staff edit the directory: every model's pages open, with their
filters, search and inlines."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import Organization, Place, Program, Specialty

from .factories import OrganizationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

MODELS = ["program", "organization", "specialty", "contact", "place", "staffingrequirement"]


@pytest.mark.parametrize("model", MODELS)
def test_changelist_and_add_pages_open(admin_client, model):
    assert admin_client.get(reverse(f"admin:programs_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:programs_{model}_add")).status_code == 200


def test_program_change_page_has_the_inlines(admin_client):
    program = Program.objects.get(slug="nuevo-amanecer")
    response = admin_client.get(reverse("admin:programs_program_change", args=[program.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    for inline in ["places-", "staffing_requirements-", "contacts-"]:
        assert f'id="{inline}group"' in text, inline
    assert "8 plastic surgery residents" in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("region=latin-america", 6),
        ("country=GT", 2),
        ("q=cleft", 6),
        ("status__exact=published", 19),
        ("status__exact=pending", 0),
    ],
)
def test_program_changelist_filters_and_search(admin_client, query, expected):
    response = admin_client.get(reverse("admin:programs_program_changelist") + "?" + query)
    assert response.status_code == 200
    assert response.context["cl"].result_count == expected


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("admin:programs_program_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_organizations_are_listed_by_name_with_their_programs_counted(admin_client):
    smile = Organization.objects.get(slug="operation-smile")
    listed = smile.programs.count()
    ProgramFactory(organization=smile, pending=True)
    ProgramFactory(organization=smile, name="Another smile")
    OrganizationFactory(name="Aaa without programs", slug="aaa-without-programs")
    response = admin_client.get(reverse("admin:programs_organization_changelist"))
    rows = list(response.context["cl"].result_list)
    assert [o.name for o in rows] == sorted(o.name for o in Organization.objects.all())
    counts = {o.slug: o.program_count for o in rows}
    assert counts["operation-smile"] == listed + 2  # whatever their status
    assert counts["aaa-without-programs"] == 0
    assert f'<td class="field-program_count">{listed + 2}</td>' in response.content.decode()
    by_count = admin_client.get(reverse("admin:programs_organization_changelist") + "?o=-2")
    assert by_count.context["cl"].result_list[0] == smile


def test_the_organization_autocomplete_pages_through_names_in_order(admin_client):
    for n in reversed(range(25)):  # created in the opposite order to their names
        OrganizationFactory(name=f"Zz relief {n:02}", slug=f"zz-relief-{n:02}")
    url = reverse("admin:autocomplete")
    query = {
        "app_label": "programs",
        "model_name": "program",
        "field_name": "organization",
        "term": "zz relief",
    }
    first = admin_client.get(url, query).json()
    second = admin_client.get(url, {**query, "page": 2}).json()
    names = [row["text"] for row in first["results"] + second["results"]]
    assert names == [f"Zz relief {n:02}" for n in range(25)]
    assert first["pagination"]["more"] and not second["pagination"]["more"]


def test_specialties_are_listed_with_their_programs_counted(admin_client):
    noma = Specialty.objects.get(slug="noma")
    ProgramFactory(specialties=[noma], pending=True)
    response = admin_client.get(reverse("admin:programs_specialty_changelist"))
    counts = {s.slug: s.program_count for s in response.context["cl"].result_list}
    assert counts == {
        s.slug: Program.objects.filter(specialties=s).count() for s in Specialty.objects.all()
    }
    assert counts["noma"] >= 2


@pytest.mark.parametrize(
    "model",
    ["programs_place", "programs_contact", "programs_staffingrequirement", "missions_impactfigure"],
)
def test_rows_of_programs_are_listed_newest_first(admin_client, missions_seeded, model):
    response = admin_client.get(reverse(f"admin:{model}_changelist"))
    pks = [row.pk for row in response.context["cl"].result_list]
    assert len(pks) > 5
    assert pks == sorted(pks, reverse=True)


def test_programs_can_be_narrowed_to_those_added_lately(admin_client):
    changelist = reverse("admin:programs_program_changelist")
    old = ProgramFactory(name="Added long ago")
    Program.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    new = ProgramFactory(name="Added today")
    cl = admin_client.get(changelist).context["cl"]
    added = next(f for f in cl.filter_specs if getattr(f, "field_path", "") == "created_at")
    [lately] = [c for c in added.choices(cl) if c["display"] == "Past 7 days"]
    response = admin_client.get(changelist + lately["query_string"])
    assert response.status_code == 200
    shown = set(response.context["cl"].result_list)
    assert new in shown and old not in shown
    week = timezone.now() - timedelta(days=7)
    assert shown == set(Program.objects.filter(created_at__gte=week))


def admin_search(admin_client, term):
    response = admin_client.get(reverse("admin:programs_program_changelist"), {"q": term})
    assert response.status_code == 200
    return {program.pk for program in response.context["cl"].result_list}


def test_the_program_search_is_the_sites_own_over_every_status(admin_client):
    pending = ProgramFactory(
        name="Reconstrucción infantil",
        organization__name="Fundación Manos Abiertas",
        places=[("AR", "Córdoba")],
        pending=True,
    )
    # Without accents, from the start of words, by organization and by place.
    for term in ["reconstruccion", "fundac manos", "CORDOBA infantil", "Argentina"]:
        assert pending.pk in admin_search(admin_client, term), term
    assert pending.pk not in admin_search(admin_client, "smile")
    assert admin_search(admin_client, "!!!") == set()
    # The programs' autocomplete of other pages (a contact's program) searches the same way.
    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "programs",
            "model_name": "contact",
            "field_name": "program",
            "term": "fundac",
        },
    )
    assert str(pending) in [result["text"] for result in response.json()["results"]]


def test_the_country_filter_offers_the_country_of_every_place(admin_client):
    ProgramFactory(pending=True, places=["IS", ("IS", "Akureyri")])
    response = admin_client.get(reverse("admin:programs_program_changelist"))
    [country_filter] = [f for f in response.context["cl"].filter_specs if f.title == "country"]
    offered = [code for code, _name in country_filter.lookup_choices]
    codes = Place.objects.values_list("country", flat=True).distinct().order_by("country")
    assert offered == list(codes)
    assert "IS" in offered and len(offered) == len(set(offered)) > 20
