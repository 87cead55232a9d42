"""The seed fixtures against the source documents in fixtures/sources/: every program is
there, structured as the documents say, with nothing the documents do not give."""

import json
import re
from pathlib import Path

import pytest

from programs.models import Contact, Organization, Place, Program, Specialty, StaffingRequirement

pytestmark = pytest.mark.django_db

SOURCES = Path(__file__).resolve().parent.parent / "fixtures" / "sources"
SOCIETY = (SOURCES / "society-humanitarian-programs.txt").read_text()
ALL_SOURCES = "\n".join(p.read_text() for p in SOURCES.glob("*.txt"))

# slug: (organization, countries, contacts, frequency kind, min, max)
EXPECTED = {
    "aicpe-onlus-program": (
        "AICPE Onlus",
        ["TG", "PY", "GT", "BJ"],
        ["Dr. Yury Macrino"],
        "unspecified",
        None,
        None,
    ),
    "gaza-plastic-surgery": (
        "MAP and IDEALS",
        ["PS"],
        ["Dr. Naveen Cavale", "Lauren Poskitt"],
        "per-year",
        6,
        6,
    ),
    "interplast-switzerland": (
        "Interplast Switzerland",
        [],
        ["Dr. Volker Wedler"],
        "per-year",
        4,
        5,
    ),
    "map-ideals-program": (
        "MAP and IDEALS",
        ["PS", "LB"],
        ["Naveen Cavale"],
        "year-round",
        None,
        None,
    ),
    "medglobal": ("MedGlobal", ["PS", "SY", "IQ"], ["Becca Sheehy"], "year-round", None, None),
    "mision-caritas-felices": (
        "Misión Caritas Felices",
        ["PE"],
        ["Lissel Kruger"],
        "per-year",
        5,
        5,
    ),
    "mumtaz-surgical-center": (
        "Mumtaz Surgical Center",
        ["PK"],
        ["Sunaina Afzaal"],
        "per-month",
        2,
        2,
    ),
    "nuevo-amanecer": ("Nuevo Amanecer", ["MX"], ["Dr. Abel De la Peña"], "per-year", 2, 2),
    "aegean-team": ("Omada Aigaiou", ["GR"], ["Paraskevas Kontoes"], "per-year", 2, 2),
    "operation-restore-hope": (
        "Operation Restore Hope",
        ["PH"],
        ["Katherine Hodgkinson"],
        "year-round",
        None,
        None,
    ),
    "operation-smile-international": (
        "Operation Smile",
        [],
        ["Sarah Yatsko"],
        "year-round",
        None,
        None,
    ),
    "palestine-childrens-relief-fund": (
        "Palestine Children’s Relief Fund",
        ["PS"],
        ["Suhail Flaifl"],
        "year-round",
        None,
        None,
    ),
    "smile-network-international": (
        "Smile Network International",
        ["HT", "GT", "IN"],
        ["Maureen Cahill"],
        "per-year",
        8,
        10,
    ),
    "triana-legacy-foundation": (
        "Triana Legacy Foundation",
        ["CO"],
        ["Laura Barbosa"],
        "year-round",
        None,
        None,
    ),
    "viet-duc-university-hospital": (
        "Viet Duc University Hospital",
        ["VN"],
        ["Dr. Nguyen Hong Ha"],
        "year-round",
        None,
        None,
    ),
    "2nd-chance": ("2nd CHANCE", ["CH"], ["Zeidan Anne"], "per-year", 14, 14),
    "operation-smile-vietnam": ("Operation Smile", ["VN"], [], "year-round", None, None),
    "mission-restore": (
        "Mission: Restore, Inc.",
        ["MM", "AF", "TZ"],
        ["Dr. Kaveh Alizadeh"],
        "per-year",
        3,
        3,
    ),
    "mission-plasticos-argentina": ("Mission Plasticos", ["AR"], [], "unspecified", None, None),
}

# (slug, role, min, max, period, trainees, wording)
EXPECTED_STAFFING = {
    (
        "aicpe-onlus-program",
        "certified-surgeon",
        2,
        None,
        "unspecified",
        False,
        "2+ board-certified surgeons",
    ),
    (
        "interplast-switzerland",
        "certified-surgeon",
        2,
        None,
        "unspecified",
        False,
        "2+ board-certified surgeons",
    ),
    ("map-ideals-program", "surgeon", 6, 6, "per-mission", False, "6 per mission"),
    ("medglobal", "surgeon", 2, 5, "per-mission", False, "2–5 per mission"),
    ("mumtaz-surgical-center", "surgeon", 2, 2, "unspecified", False, "2 surgeons"),
    (
        "nuevo-amanecer",
        "certified-plastic-surgeon",
        5,
        5,
        "unspecified",
        False,
        "5 board-certified plastic surgeons",
    ),
    (
        "nuevo-amanecer",
        "plastic-surgery-resident",
        8,
        8,
        "unspecified",
        True,
        "8 plastic surgery residents",
    ),
    ("aegean-team", "surgeon", 4, 4, "unspecified", False, "4"),
    ("operation-restore-hope", "surgeon", 2, 6, "per-mission", False, "2-6 per mission"),
    (
        "operation-smile-international",
        "surgeon",
        None,
        None,
        "unspecified",
        False,
        "As many as possible",
    ),
    (
        "palestine-childrens-relief-fund",
        "surgeon",
        None,
        None,
        "unspecified",
        False,
        "As many as possible",
    ),
    (
        "smile-network-international",
        "surgeon",
        2,
        2,
        "per-mission",
        False,
        "2 surgeons per mission",
    ),
    (
        "smile-network-international",
        "surgeon",
        None,
        16,
        "per-year",
        False,
        "up to 16 surgeons per year",
    ),
    ("viet-duc-university-hospital", "surgeon", 2, 10, "unspecified", False, "2–10"),
    (
        "mission-restore",
        "plastic-surgeon",
        None,
        None,
        "unspecified",
        False,
        "American trained plastic surgeons",
    ),
    (
        "2nd-chance",
        "surgeon",
        None,
        None,
        "unspecified",
        False,
        "Surgeons willing to teach African surgeons reconstructive surgery in 1-week workshops; "
        "long-term candidates too",
    ),
}


def test_every_program_of_the_documents_is_seeded_and_published():
    assert set(Program.objects.values_list("slug", flat=True)) == set(EXPECTED)
    assert Program.objects.published().count() == 19


def test_sixteen_programs_come_from_the_society_list():
    society = Program.objects.filter(source__startswith="ISAPS")
    assert society.count() == 16
    # The two programs that lost their headings are named from their descriptions.
    assert {"MAP + IDEALS Program", "MedGlobal"} <= set(society.values_list("name", flat=True))


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_program_structure_matches_the_document(slug):
    organization, codes, contacts, frequency, low, high = EXPECTED[slug]
    program = Program.objects.get(slug=slug)
    assert program.organization.name == organization
    assert [p.country.code for p in program.places.order_by("position")] == codes
    assert [c.name for c in program.contacts.order_by("position")] == contacts
    assert (program.frequency, program.frequency_min, program.frequency_max) == (
        frequency,
        low,
        high,
    )


def test_staffing_rows_keep_the_documents_numbers_and_wording():
    rows = {
        (s.program.slug, s.role, s.min_count, s.max_count, s.period, s.accepts_trainees, s.wording)
        for s in StaffingRequirement.objects.select_related("program")
    }
    assert rows == EXPECTED_STAFFING


def test_no_email_or_invented_phone_anywhere_in_the_seed():
    assert not Contact.objects.exclude(email="").exists()
    assert not Contact.objects.exclude(phone="").exists()
    raw = (SOURCES.parent / "seed.json").read_text()
    assert "@" not in raw
    # The one phone number in the documents is Mission: Restore's.
    assert list(Organization.objects.exclude(phone="").values_list("slug", "phone")) == [
        ("mission-restore", "(855) 777-1350")
    ]
    assert "(855)777-1350" in ALL_SOURCES


def test_every_contact_name_appears_in_the_documents():
    for name in Contact.objects.values_list("name", flat=True):
        assert name in ALL_SOURCES, name


def test_every_number_in_staffing_and_frequency_wording_is_in_the_documents():
    texts = list(StaffingRequirement.objects.values_list("wording", flat=True))
    texts += list(Program.objects.values_list("frequency_text", flat=True))
    for text in texts:
        for number in re.findall(r"\d+", text):
            assert number in ALL_SOURCES, (number, text)


def test_only_the_mission_restore_article_gives_a_verification_date():
    dated = Program.objects.exclude(last_verified_on=None)
    assert [(p.slug, p.last_verified_on.isoformat()) for p in dated] == [
        ("mission-restore", "2014-01-30")
    ]


def test_resources_and_commitments_as_the_documents_give_them():
    values = dict(
        Program.objects.exclude(resources_required="").values_list("slug", "resources_required")
    )
    assert values == {
        "interplast-switzerland": "1 OR with respirator",
        "mumtaz-surgical-center": "Human resources, medicines, sutures, and operating instruments",
    }
    commitments = dict(
        Program.objects.exclude(min_commitment="").values_list("slug", "min_commitment")
    )
    assert commitments == {
        "medglobal": "1 week",
        "gaza-plastic-surgery": "One week at a time",
        "2nd-chance": "1-week workshops",
    }


def test_place_names_are_corrected_but_kept():
    localities = dict(Place.objects.exclude(locality="").values_list("program__slug", "locality"))
    assert localities["mission-plasticos-argentina"] == "Córdoba"
    assert localities["aegean-team"] == "Remote Greek islands"
    assert localities["mumtaz-surgical-center"] == "Prisons across Punjab"
    assert localities["nuevo-amanecer"] == "Guanajuato"
    assert localities["mision-caritas-felices"] == "Lima"
    assert Program.objects.get(slug="aegean-team").name == "Aegean Team"


def test_specialty_taxonomy_covers_every_need_named_in_the_documents():
    slugs = set(Specialty.objects.values_list("slug", flat=True))
    # Named by the society's list and the organizations' texts...
    assert {
        "cleft-lip-and-palate",
        "burns",
        "hand-surgery",
        "craniofacial",
        "maxillofacial-trauma",
        "breast-reconstruction",
        "noma",
        "limb-reconstruction",
        "skin-cancer",
        "wound-care",
        "vascular-malformations",
        "general-surgery",
        "public-health-education",
        "aesthetic-surgery",
        "congenital-malformations",
        "trauma-reconstruction",
        "tumour-reconstruction",
        "reconstructive-surgery",
        "surgical-training",
    } <= slugs
    # ...and by the German text: Noma, Buruli-Ulkus, Lepra.
    assert {"noma", "buruli-ulcer", "leprosy"} <= slugs


def test_programs_specialties_follow_their_stated_needs():
    def specialties(slug):
        return set(Program.objects.get(slug=slug).specialties.values_list("slug", flat=True))

    assert specialties("interplast-switzerland") >= {
        "burns",
        "noma",
        "breast-reconstruction",
        "hand-surgery",
    }
    assert specialties("viet-duc-university-hospital") >= {
        "craniofacial",
        "maxillofacial-trauma",
        "vascular-malformations",
        "hand-surgery",
    }
    assert specialties("map-ideals-program") == {"limb-reconstruction"}
    assert specialties("triana-legacy-foundation") == {"public-health-education"}
    # "none specified" and "various" stay empty rather than guessed.
    for slug in ("medglobal", "palestine-childrens-relief-fund", "operation-smile-international"):
        assert specialties(slug) == set()


def test_fixture_is_valid_json_with_natural_keys():
    data = json.loads((SOURCES.parent / "seed.json").read_text())
    programs = [o for o in data if o["model"] == "programs.program"]
    assert len(programs) == 19
    assert all("pk" not in o for o in programs)
