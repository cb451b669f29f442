"""Rate limits and sign-in lockout behind the documented proxy (issue 15, finding 3).

The client address is taken from ``TRUSTED_PROXY_COUNT`` proxies (nginx on 127.0.0.1 appends
the client to X-Forwarded-For), never from what the client wrote itself, and counts are kept in
a store that every process shares.
"""

import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.tests.factories import UserFactory
from core.ratelimit import client_address

BASE_DIR = settings.BASE_DIR
PROXY = "127.0.0.1"  # nginx on the same machine, as in docs/operations.md


def behind_proxy(forwarded_for):
    """A client as the application sees it behind nginx: REMOTE_ADDR is nginx."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def address(settings, count, forwarded_for=None, remote=PROXY):
    settings.TRUSTED_PROXY_COUNT = count
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client_address(RequestFactory().get("/", **extra))


def test_the_client_address_trusts_only_the_configured_proxies(settings):
    # No proxy configured: REMOTE_ADDR, whatever the header says.
    assert address(settings, 0, "203.0.113.7", remote="198.51.100.1") == "198.51.100.1"
    # One proxy: the entry it appended, the rightmost.
    assert address(settings, 1, "203.0.113.7") == "203.0.113.7"
    # A forged leftmost entry does not help: the proxy's entry is still the rightmost.
    assert address(settings, 1, "192.0.2.99, 203.0.113.7") == "203.0.113.7"
    assert address(settings, 1, "not-an-address, 203.0.113.7") == "203.0.113.7"
    # Two proxies (a load balancer, then nginx): the second from the right.
    assert address(settings, 2, "192.0.2.99, 203.0.113.7, 10.0.0.5") == "203.0.113.7"
    # Ports and IPv6 as proxies write them.
    assert address(settings, 1, "203.0.113.7:51234") == "203.0.113.7"
    assert address(settings, 1, "[2001:db8::1]:443") == "2001:db8::1"
    # No header, or rubbish where the proxy's entry should be: the proxy's own address.
    assert address(settings, 1) == PROXY
    assert address(settings, 1, "<script>") == PROXY


def help_post(client, **overrides):
    data = {"name": "Ayesha Khan", "email": "ayesha@example.org", "category": "no_internet", "description": "The dongle has no data.", "website": ""}
    data.update(overrides)
    return client.post(reverse("support:help_form", args=["en"]), data)


@pytest.mark.django_db
def test_behind_the_proxy_each_family_has_its_own_help_form_limit(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SUPPORT_PUBLIC_RATE_LIMIT = 5
    first = behind_proxy("203.0.113.7")
    for _ in range(5):
        assert help_post(first).status_code == 302
    assert help_post(first).status_code == 429
    # A forged X-Forwarded-For (nginx appends the real address to it) buys no new bucket.
    assert help_post(behind_proxy("192.0.2.1, 203.0.113.7")).status_code == 429
    # Another family behind the same proxy is not affected.
    assert help_post(behind_proxy("198.51.100.23")).status_code == 302


@pytest.mark.django_db
def test_behind_the_proxy_a_lockout_locks_only_the_attackers_address(settings):
    settings.AXES_ENABLED = True
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="ada", role="admin", is_superuser=True)
    url = reverse("login")
    attacker = behind_proxy("192.0.2.66")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(url, {"username": "ada", "password": "wrong"})
    assert attacker.post(url, {"username": "ada", "password": "correct-horse-battery"}).status_code == 429
    # Writing ada's address into X-Forwarded-For does not lock ada either.
    forger = behind_proxy("203.0.113.7, 192.0.2.66")
    assert forger.post(url, {"username": "ada", "password": "wrong"}).status_code == 429
    # Ada, from her own address through the same proxy, signs in.
    ada = behind_proxy("203.0.113.7")
    assert ada.post(url, {"username": "ada", "password": "correct-horse-battery"}).status_code == 302


@pytest.mark.django_db
def test_password_reset_is_limited_per_address_and_per_email_with_the_same_answer(settings, users):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PASSWORD_RESET_RATE_LIMIT = 3
    user = users["school_staff"]
    url = reverse("password_reset")
    done = reverse("password_reset_done")
    one = behind_proxy("203.0.113.7")
    for _ in range(3):
        response = one.post(url, {"email": user.email})
        assert response.status_code == 302 and response["Location"] == done
    assert len(mail.outbox) == 3
    # Over the limit: the same answer, nothing sent, for a known and an unknown address alike.
    for email in (user.email, "nobody@example.org"):
        response = one.post(url, {"email": email})
        assert response.status_code == 302 and response["Location"] == done
    assert len(mail.outbox) == 3
    # Per email: other addresses cannot go on mailing the same person.
    for n in range(3):
        response = behind_proxy(f"198.51.100.{n + 1}").post(url, {"email": user.email.upper()})
        assert response.status_code == 302 and response["Location"] == done
    assert len(mail.outbox) == 3
    # Someone else, from elsewhere, still gets their email.
    other = users["cio"]
    assert behind_proxy("198.51.100.200").post(url, {"email": other.email})["Location"] == done
    assert [m.to for m in mail.outbox[3:]] == [[other.email]]


def test_production_settings_keep_rate_limits_in_a_shared_store():
    code = "from django.conf import settings as s; print(s.CACHES['ratelimit']['BACKEND'], s.TRUSTED_PROXY_COUNT)"
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "RATELIMIT_CACHE_URL", "TRUSTED_PROXY_COUNT")}
    result = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["django.core.cache.backends.db.DatabaseCache", "0"], result.stderr
    env["CACHE_URL"] = "rediscache://127.0.0.1:6379/1"
    result = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "0"], result.stderr


COUNT_HITS = """
import sys, time
from core.ratelimit import hit
start = float(sys.argv[-1])
while time.time() < start:
    time.sleep(0.005)
print(sum(not hit(sys.argv[-2], limit=5, window=600) for _ in range(10)))
"""


@pytest.mark.django_db(transaction=True)
def test_two_processes_share_one_count(tmp_path):
    """Two real processes, started together, each try ten requests against a limit of five:
    five are accepted in all (with a per-process store each would accept five)."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    else:
        database_url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "RATELIMIT_CACHE_URL")}
    env["DATABASE_URL"] = database_url
    subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=BASE_DIR, env=env, check=True, timeout=120)
    script = tmp_path / "hits.py"
    script.write_text(COUNT_HITS)
    key = f"test:{uuid.uuid4()}"
    import time

    start = str(time.time() + 4)
    command = [sys.executable, "manage.py", "shell", "--no-imports", "-c", f"import sys; sys.argv += {[key, start]!r}; exec(open({str(script)!r}).read())"]
    processes = [subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in processes]
    accepted = [int(out.strip().splitlines()[-1]) for out, err in outputs]
    assert sum(accepted) == 5, outputs
