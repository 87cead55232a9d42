"""The admin is where staff edit the directory: every model's pages open, with their
filters, search and inlines."""

import pytest
from django.urls import reverse

from programs.models import Program

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
