"""The check shared by the facet tests: the counts a list page shows against the counts
worked out over the programs themselves, their places, specialties and staffing (the code
that SQLite and the organization pages use)."""

from django.http import QueryDict

from programs.facets import Facets
from programs.filters import ProgramFilter
from programs.models import Program


def assert_panel_counts_the_programs_own_rows(client, query=""):
    response = client.get(f"/programs/?{query}")
    assert response.status_code == 200
    reference = Facets(ProgramFilter(QueryDict(query), queryset=Program.objects.published()))
    context = response.context
    assert context["result_count"] == reference.total()
    assert context["facet_counts"] == reference.grouped()
    assert context["filter_specialties"] == reference.specialties()
    # The panel lists the countries with most programs (and links to all).
    shown = {country.code: count for country, count in context["filter_countries"]}
    expected = {country.code: count for country, count in reference.countries()}
    assert shown == {code: expected[code] for code in shown}
