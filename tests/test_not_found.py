"""Malformed addresses (unknown slugs, bad country codes, overlong or odd paths) get the site's
own 404 page: styled, with the site's navigation, in the visitor's language."""

import pytest

pytestmark = pytest.mark.django_db

MALFORMED = [
    "/programs/no-such-program/",
    "/programs/no-such-program/suggest/",
    "/organizations/no-such-organization/",
    "/countries/zz/",
    "/countries/peru/",
    "/countries/123/",
    "/countries/p%C3%A9/",
    "/specialties/no-such-specialty/",
    "/missions/no-such-mission/",
    "/missions/calendar/programs/no-such-program.ics",
    "/missions/calendar/countries/zz.ics",
    "/programs/" + "a" * 3000 + "/",
    "/" + "x/" * 1000,
    "/programs/%E2%80%AE%F0%9F%8F%A5/",
    "/programs/../../etc/passwd",
    "/static/../directory/settings.py",
    "/no-such-page.php",
]


@pytest.mark.parametrize("language", ["en", "de", "es", "fr"])
def test_malformed_addresses_get_the_sites_own_404_in_the_visitors_language(client, language):
    for path in MALFORMED:
        response = client.get(path, headers={"accept-language": f"{language},en;q=0.5"})
        assert response.status_code == 404, path
        text = response.content.decode()
        assert f'<html lang="{language}">' in text, path
        assert 'rel="stylesheet" href="/static/css/site.css"' in text, path
        assert 'class="site-header"' in text and 'id="main"' in text, path
        assert "Traceback" not in text
        if language == "en":
            assert "Page not found" in text, path


def test_the_404_page_does_not_echo_the_address(client):
    response = client.get("/programs/%3Cscript%3Ealert(1)%3C%2Fscript%3E/")
    assert response.status_code == 404
    assert "<script>alert" not in response.content.decode()
