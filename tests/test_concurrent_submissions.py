"""Fifty organizations pressing "Send" at the same moment: every submission arrives once,
pending, with its own reference. Real HTTP against the live server, one thread per sender,
each with its own session and CSRF token."""

import http.cookiejar
import re
import threading
import urllib.parse
import urllib.request

import pytest
from django.core.cache import cache

from programs.models import Program
from submissions.models import Submission
from tests.factories import submission_post

SENDERS = 50


def send(base_url, n, results):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(base_url + "/submit/", timeout=60).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = submission_post(name=f"Concurrent program {n}", organization_name=f"Sender {n}")
    data["csrfmiddlewaretoken"] = token
    body = urllib.parse.urlencode(data, doseq=True).encode()
    request = urllib.request.Request(
        base_url + "/submit/", data=body, headers={"Referer": base_url + "/submit/"}
    )
    with opener.open(request, timeout=60) as response:
        page = response.read().decode()
        results[n] = (response.status, response.url, re.search(r"S-[0-9A-Z]{8}", page))


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_submissions_all_arrive_once(live_server, settings):
    settings.SUBMISSION_RATE_LIMIT = SENDERS * 2  # all come from 127.0.0.1
    cache.clear()
    results = {}
    barrier = threading.Barrier(SENDERS)

    def run(n):
        barrier.wait()
        send(live_server.url, n, results)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(results) == SENDERS
    assert all(
        status == 200 and url.endswith("/submit/thanks/") for status, url, _ in results.values()
    )
    shown = {match.group(0) for _, _, match in results.values()}
    stored = set(Submission.objects.values_list("reference", flat=True))
    assert len(stored) == SENDERS
    assert shown == stored  # each sender saw their own reference
    assert Submission.objects.pending_review().count() == SENDERS
    names = set(Program.objects.pending_review().values_list("name", flat=True))
    assert names == {f"Concurrent program {n}" for n in range(SENDERS)}
