"""
World regions for the `region` filter ("who needs cleft teams in Latin America?").

Based on the UN M49 geographic regions, with two changes volunteers expect: the Middle
East stands apart from the rest of Asia (humanitarian appeals are organised that way),
and the Americas are split into Latin America and the Caribbean and Northern America.
Every ISO 3166-1 country but Antarctica belongs to exactly one region (a test checks it).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Region:
    slug: str
    name: str
    countries: frozenset[str]


def _codes(text):
    return frozenset(text.split())


REGIONS = [
    Region(
        "africa",
        _("Africa"),
        _codes("""
            DZ EG LY MA SD TN EH IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ
            ZM ZW AO CM CF TD CG CD GQ GA ST BW SZ LS NA ZA BJ BF CV CI GM GH GN GW LR ML MR
            NE NG SH SN SL TG
        """),
    ),
    Region(
        "asia",
        _("Asia"),
        _codes("""
            KZ KG TJ TM UZ CN HK MO KP JP MN KR TW BN KH ID LA MY MM PH SG TH TL VN AF BD BT
            IN MV NP PK LK AM AZ GE
        """),
    ),
    Region(
        "europe",
        _("Europe"),
        _codes("""
            AX AL AD AT BY BE BA BG HR CY CZ DK EE FO FI FR DE GI GR GG VA HU IS IE IM IT JE
            LV LI LT LU MT MD MC ME NL MK NO PL PT RO RU SM RS SK SI ES SJ SE CH UA GB
        """),
    ),
    Region(
        "latin-america",
        _("Latin America and the Caribbean"),
        _codes("""
            AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC
            VI BZ CR SV GT HN MX NI PA AR BV BO BR CL CO EC FK GF GY PY PE GS SR UY VE
        """),
    ),
    Region(
        "middle-east",
        _("Middle East"),
        _codes("AE BH IL IQ IR JO KW LB OM PS QA SA SY TR YE"),
    ),
    Region("north-america", _("Northern America"), _codes("BM CA GL PM US")),
    Region(
        "oceania",
        _("Oceania"),
        _codes("""
            AS AU CX CC CK FJ PF GU HM KI MH FM NR NC NZ NU NF MP PW PG PN WS SB TK TO TV UM
            VU WF
        """),
    ),
]

REGIONS_BY_SLUG = {region.slug: region for region in REGIONS}
REGION_CHOICES = [(region.slug, region.name) for region in REGIONS]
_REGION_OF_COUNTRY = {code: region for region in REGIONS for code in region.countries}


def region_of(country_code):
    """The Region a country belongs to, or None (Antarctica, unknown codes)."""
    return _REGION_OF_COUNTRY.get(str(country_code).upper())
