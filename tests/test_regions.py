from django_countries import countries

from programs.regions import REGIONS, region_of


def test_every_country_but_antarctica_is_in_exactly_one_region():
    for code, name in countries:
        memberships = [r.slug for r in REGIONS if code in r.countries]
        if code == "AQ":
            assert memberships == []
        else:
            assert len(memberships) == 1, (code, name, memberships)


def test_region_codes_are_real_countries():
    known = {code for code, _name in countries}
    for region in REGIONS:
        assert region.countries <= known, region.countries - known


def test_region_of_reads_any_case():
    assert region_of("pe").slug == "latin-america"
    assert region_of("PS").slug == "middle-east"
    assert region_of("ZZ") is None
