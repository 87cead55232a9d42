"""A search ranks and cuts its page in a narrow copy of the published programs' documents on
PostgreSQL (programs.models.SearchEntry, kept by triggers). Whatever changes a program, the
search must follow at once and give the same programs in the same order as the programs'
own table; on SQLite the same behaviour comes from the programs' table alone."""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict

from programs.filters import ProgramFilter
from programs.models import Frequency, Program, SearchEntry, Specialty
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def found(client, q, **params):
    response = client.get("/programs/", {"q": q, **params})
    assert response.status_code == 200
    return [program.slug for program in response.context["programs"]]


def entries_mirror_the_published_programs():
    if connection.vendor != "postgresql":
        assert not SearchEntry.objects.exists()  # SQLite keeps none
        return
    published = {
        (p.pk, p.name, str(p.search_vector), p.search_filters)
        for p in Program.objects.published().only("pk", "name", "search_vector", "search_filters")
    }
    entries = {(e.program_id, e.name, str(e.vector), e.filters) for e in SearchEntry.objects.all()}
    assert entries == published


def test_a_search_follows_every_change_of_a_program(client):
    program = ProgramFactory(name="Zanzibar burns outreach", places=[("TZ", "Stone Town")])
    assert found(client, "zanzibar") == [program.slug]
    entries_mirror_the_published_programs()

    # Renamed through a save: the old name is gone, the new one found.
    program.name = "Pemba burns outreach"
    program.save()
    Program.objects.filter(pk=program.pk).refresh_search()
    assert found(client, "zanzibar") == []
    assert found(client, "pemba") == [program.slug]

    # Archived with update(), which calls no save() and sends no signal.
    Program.objects.filter(pk=program.pk).update(status=Program.Status.ARCHIVED)
    assert found(client, "pemba") == []
    entries_mirror_the_published_programs()

    # Published again through the model's own transition.
    program.refresh_from_db()
    program.publish()
    program.save()
    assert found(client, "pemba") == [program.slug]
    entries_mirror_the_published_programs()

    program.delete()
    assert found(client, "pemba") == []
    entries_mirror_the_published_programs()


def test_a_pending_program_is_never_found():
    ProgramFactory(pending=True, name="Quetzaltenango hand camp")
    ProgramFactory(rejected=True, name="Quetzaltenango cleft camp")
    from django.test import Client

    assert found(Client(), "quetzaltenango") == []
    entries_mirror_the_published_programs()


def test_the_ranked_page_is_the_same_as_ranking_the_programs_table(client):
    """The page cut from the entries holds the very programs, in the very order, that
    ranking the programs' own table gives, over several pages and with filters."""
    for i in range(30):
        ProgramFactory(
            name=f"Camp {i:02d}" + (" hand surgery" if i % 3 == 0 else ""),
            description="Hand surgery and burns." if i % 2 else "Burns care.",
            places=[("PE", "Cusco")] if i % 4 else [("VN", "Hue")],
            frequency=Frequency.PER_YEAR if i % 5 else Frequency.PER_MONTH,
        )
    for params in [
        {"q": "hand surgery"},
        {"q": "burns", "country": "PE"},
        {"q": "burns", "frequency": "per-year"},
        {"q": "burns", "region": "asia", "frequency": ["per-year", "per-month"]},
        {"q": "hand", "trainees": "no"},
    ]:
        data = QueryDict(urlencode(params, doseq=True))
        expected = [p.slug for p in ProgramFilter(data, queryset=Program.objects.published()).qs]
        assert expected, params
        shown, page = [], 1
        while True:
            response = client.get(f"/programs/?{data.urlencode()}&page={page}")
            assert response.status_code == 200
            shown += [p.slug for p in response.context["programs"]]
            if not response.context["page_obj"].has_next():
                break
            page += 1
        assert shown == expected, params


def test_the_frequency_filter_with_a_search(client):
    yearly = ProgramFactory(name="Yearly Xochimilco camp", frequency=Frequency.PER_YEAR)
    monthly = ProgramFactory(name="Monthly Xochimilco camp", frequency=Frequency.PER_MONTH)
    assert found(client, "xochimilco", frequency="per-year") == [yearly.slug]
    assert found(client, "xochimilco", frequency="per-month") == [monthly.slug]
    # A frequency changed in a save shows once the program's search fields are rewritten, as
    # the admin and the submission workflow do after every save.
    yearly.frequency = Frequency.PER_MONTH
    yearly.save()
    Program.objects.filter(pk=yearly.pk).refresh_search()
    assert set(found(client, "xochimilco", frequency="per-month")) == {yearly.slug, monthly.slug}


def test_the_entries_index_serves_a_search_with_filters():
    """EXPLAIN with sequential scans off: the count and the ranking of a search with filters
    read the entries' GIN index. (SQLite has no such table to read: its list searches the
    programs' table, checked in test_search.py.)"""
    filterset = ProgramFilter(
        QueryDict("q=cleft+surgery&region=latin-america"), queryset=Program.objects.published()
    )
    entries = filterset.entries()
    if connection.vendor != "postgresql":
        assert entries is None
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = entries.values("pk")[:25].query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "search_entry_document_idx" in plan, plan
    assert "programs_program" not in plan, plan  # the wide table is not read to rank


def test_a_word_is_found_from_its_start_in_every_part_of_a_program(client):
    """A typed word stands for every word of the documents it begins, on PostgreSQL listed
    from the documents' own lexicon, which must follow every change of a document."""
    program = ProgramFactory(name="Lake camp", description="Brings xylocaine and sutures.")
    assert found(client, "xyloc") == [program.slug]
    assert found(client, "xylocaine sutur") == [program.slug]
    program.description = "Brings bupivacaine."
    program.save()
    Program.objects.filter(pk=program.pk).refresh_search()
    assert found(client, "bupiv") == [program.slug]
    assert found(client, "xyloc") == []


def test_a_short_start_of_many_words_finds_them_all(client):
    """More words begin with "zq" than are ever listed (MAX_COMPLETIONS): it stays a prefix,
    and still finds every program."""
    from programs.search import MAX_COMPLETIONS

    count = MAX_COMPLETIONS + 5
    for i in range(count):
        ProgramFactory(name=f"Camp zq{chr(97 + i % 26)}{i}")
    response = client.get("/programs/", {"q": "zq"})
    assert response.context["result_count"] == count
    response = client.get("/programs/", {"q": "zqa0"})
    assert [p.name for p in response.context["programs"]] == ["Camp zqa0"]


def test_a_specialty_taken_from_its_programs_or_deleted_leaves_their_search(client):
    specialty = Specialty.objects.create(name="Quokka surgery", slug="quokka-surgery")
    program = ProgramFactory(name="Island outreach")
    program.specialties.add(specialty)
    assert found(client, "quokka") == [program.slug]

    # From the specialty's side, as a data migration or the shell would.
    specialty.programs.clear()
    assert found(client, "quokka") == []
    entries_mirror_the_published_programs()

    program.specialties.add(specialty)
    assert found(client, "quokka") == [program.slug]
    specialty.delete()
    assert found(client, "quokka") == []
    program.refresh_from_db()
    assert "quokka" not in program.search_filters
    entries_mirror_the_published_programs()
