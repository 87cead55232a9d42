"""fixtures/missions.json against the source documents: every impact figure the documents
give is there, with the document's own words, and nothing they do not give."""

import json
import re

import pytest
from django.core.management import call_command

from missions.models import Campaign, ImpactFigure, Mission

from .conftest import ROOT

pytestmark = pytest.mark.django_db

FIXTURE = ROOT / "fixtures" / "missions.json"
SOURCES = ROOT / "fixtures" / "sources"


def normalized(text):
    return re.sub(r"\s+", " ", text)


DOCUMENTS = {
    "ISAPS": normalized((SOURCES / "society-humanitarian-programs.txt").read_text()),
    "Operation Smile": normalized((SOURCES / "operation-smile-vietnam.txt").read_text()),
    "Mission Restore": normalized((SOURCES / "mission-restore.txt").read_text()),
    "Mission Plasticos": normalized((SOURCES / "mission-plasticos-argentina.txt").read_text()),
}

NUMBER_WORDS = {"three": 3, "fourth": 4, "seven": 7}

# (subject slug, metric, value, more than, counted) for every figure of the documents.
EXPECTED = {
    ("disaster-relief-jordan-turkey-lebanon", "trips", 25, False, "total"),
    ("disaster-relief-jordan-turkey-lebanon", "surgeries", 438, False, "total"),
    ("disaster-relief-jordan-turkey-lebanon", "patient-evaluations", 907, False, "total"),
    ("missions-to-amman", "trips", 18, False, "total"),
    ("missions-to-amman", "surgeries", 263, False, "total"),
    ("missions-to-amman", "patient-evaluations", 450, False, "total"),
    ("operation-smile", "volunteers", 6000, True, "total"),
    ("operation-smile", "volunteer-countries", 60, True, "total"),
    ("operation-smile", "surgeries", 326000, True, "total"),
    ("operation-smile-vietnam", "patients-treated", 66000, True, "total"),
    ("mumtaz-surgical-center", "patients-treated", 5000, True, "total"),
    ("smile-network-international", "countries", 13, False, "total"),
    ("mission-restore", "countries", 3, False, "total"),
    ("mission-restore", "trips", 3, False, "per-year"),
    ("mission-plasticos-argentina", "trips", 4, False, "total"),
    ("mission-plasticos-cordoba", "volunteers", 7, False, "total"),
    ("mission-plasticos-cordoba", "volunteer-countries", 3, False, "total"),
    ("mission-plasticos-cordoba", "trained-in-person", 75, False, "total"),
    ("mission-plasticos-cordoba", "trained-online", 160, True, "total"),
}


@pytest.fixture(autouse=True)
def mission_seed(db):
    call_command("loaddata", FIXTURE, verbosity=0)


def subject_slug(figure):
    return figure.subject.slug


def document_of(figure):
    for key, text in DOCUMENTS.items():
        if key in figure.source:
            return text
    raise AssertionError(f"no document for source {figure.source!r}")


def test_every_figure_of_the_documents_is_in_the_fixture():
    rows = {
        (subject_slug(f), f.metric, f.value, f.is_lower_bound, f.basis)
        for f in ImpactFigure.objects.all()
    }
    assert rows == EXPECTED
    assert ImpactFigure.objects.count() == len(EXPECTED)


@pytest.mark.parametrize("pk", range(1, len(EXPECTED) + 1))
def test_each_figure_is_worded_as_its_document_says(pk):
    figure = ImpactFigure.objects.get(pk=pk)
    text = document_of(figure)
    assert figure.wording and figure.wording in text, figure.wording
    # The value is in the words: as digits ("6,000") or as a word ("seven").
    digits = {int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", figure.wording)}
    words = {NUMBER_WORDS[w] for w in re.findall(r"[a-z]+", figure.wording) if w in NUMBER_WORDS}
    if figure.metric == "volunteer-countries" and figure.scope == "mission":
        # "from the US, the Netherlands and Argentina": three countries, named.
        assert figure.mission.volunteer_countries == ["AR", "NL", "US"]
    elif figure.metric == "countries" and figure.program_id:
        # "In addition to Myanmar, ... Afghanistan and Tanzania".
        assert all(name in figure.wording for name in ("Myanmar", "Afghanistan", "Tanzania"))
    else:
        assert figure.value in digits | words, figure.wording
    if figure.is_lower_bound:
        assert figure.wording.startswith(("more than", "from more than")), figure.wording
    if figure.period_text and figure.period_text.startswith(("since", "over")):
        assert figure.period_text.lower() in text.lower()


def test_figures_included_in_others_are_the_amman_missions():
    nested = {
        (f.campaign.slug, f.metric, f.part_of.campaign.slug)
        for f in ImpactFigure.objects.exclude(part_of=None)
    }
    assert nested == {
        ("missions-to-amman", metric, "disaster-relief-jordan-turkey-lebanon")
        for metric in ("trips", "surgeries", "patient-evaluations")
    }
    for figure in ImpactFigure.objects.exclude(part_of=None):
        assert figure.part_of.metric == figure.metric


def test_periods_only_where_the_documents_give_them():
    periods = {
        (subject_slug(f), f.metric): (f.period_start_year, f.period_end_year)
        for f in ImpactFigure.objects.exclude(period_start_year=None, period_end_year=None)
    }
    assert periods == {
        ("operation-smile", "surgeries"): (1982, None),
        ("operation-smile-vietnam", "patients-treated"): (1982, None),
        ("smile-network-international", "countries"): (2003, None),
        ("mission-restore", "countries"): (None, 2014),  # the article's date, 30 Jan 2014
    }
    assert "Since 1982" in DOCUMENTS["Operation Smile"]
    assert "Since 2003" in DOCUMENTS["ISAPS"]


def test_the_cordoba_mission_as_the_article_tells_it():
    mission = Mission.objects.get()
    text = DOCUMENTS["Mission Plasticos"]
    assert mission.program.slug == "mission-plasticos-argentina"
    assert (mission.country.code, mission.city, mission.host_facility) == (
        "AR",
        "Córdoba",
        "Nuevo Hospital San Roque",
    )
    assert "Nuevo Hospital San Roque" in text
    assert mission.team_size == 7 and "team of seven medical volunteers" in text
    assert mission.duration_days == 7 and "spent one week" in text
    assert mission.status == Mission.Status.COMPLETED
    # The article gives no dates, language, costs or team roles: they stay empty.
    assert mission.date_precision == Mission.DatePrecision.UNKNOWN
    assert (mission.start_on, mission.end_on) == (None, None)
    assert mission.language == ""
    assert (mission.travel, mission.lodging, mission.fee) == ("unknown", "unknown", "")
    assert not mission.team.exists()


def test_campaigns_as_the_society_names_them():
    assert {(c.slug, tuple(c.countries)) for c in Campaign.objects.all()} == {
        ("disaster-relief-jordan-turkey-lebanon", ("JO", "LB", "TR")),
        ("missions-to-amman", ("JO",)),
    }
    assert (
        "Total International Disaster Relief Missions to Jordan, Turkey, and Lebanon"
        in (DOCUMENTS["ISAPS"])
    )
    assert (
        "Missions to Amman, Jordan helped local surgeons treat injured Syrian refugees"
        in (DOCUMENTS["ISAPS"])
    )


def test_no_invented_date_email_or_number_in_the_fixture():
    raw = FIXTURE.read_text()
    assert "@" not in raw
    data = json.loads(raw)
    missions = [o for o in data if o["model"] == "missions.mission"]
    assert all(o["fields"]["start_on"] is None for o in missions)
    every_text = " ".join(DOCUMENTS.values())
    for obj in data:
        for key in ("description", "results", "wording"):
            for number in re.findall(r"\d+", obj["fields"].get(key, "")):
                assert number in every_text, (number, obj["fields"].get(key))


def test_load_seed_loads_the_missions_too():
    ImpactFigure.objects.all().delete()
    Mission.objects.all().delete()
    call_command("load_seed", "--force", verbosity=0)
    assert ImpactFigure.objects.count() == len(EXPECTED)
    assert Mission.objects.count() == 1
