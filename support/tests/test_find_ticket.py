"""A family gets back to their ticket with its reference and the phone or email they gave."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging.models import OutboundMessage
from support.models import FamilyAccessCode
from support.tests.factories import TicketFactory


@pytest.fixture
def ticket(school):
    return TicketFactory(school=school, requester_phone="+447700900201", requester_email="amina@example.org", language="so")


def find(client, reference, contact, lang="so"):
    return client.post(reverse("support:find", args=[lang]), {"reference": reference, "contact": contact})


def sent_code():
    message = OutboundMessage.objects.filter(template="access_code").latest("pk")
    return message, re.search(r"\b(\d{6})\b", message.body).group(1)


@pytest.mark.parametrize("contact", ["07700 900201", "+44 7700 900201", "AMINA@example.org"])
def test_reference_and_contact_send_a_code_that_opens_the_ticket(client, ticket, contact):
    response = find(client, ticket.reference.lower(), contact)
    assert response.status_code == 302 and response["Location"] == reverse("support:find_code", args=["so"])
    message, code = sent_code()
    assert message.language == "so" and message.channel == ("email" if "@" in contact else "sms")
    response = client.post(reverse("support:find_code", args=["so"]), {"code": code})
    assert response.status_code == 302 and response["Location"] == ticket.family_url()
    assert client.get(response["Location"]).status_code == 200
    # Once only.
    find(client, ticket.reference, contact)
    assert client.post(reverse("support:find_code", args=["so"]), {"code": code}).status_code == 200


def test_the_answer_is_the_same_whether_the_reference_exists_or_not(client, ticket):
    real = find(client, ticket.reference, "07700 900999")  # wrong phone
    made_up = find(client, "ZZZZZZZZ", "07700 900201")
    assert real.status_code == made_up.status_code == 302
    assert real["Location"] == made_up["Location"]
    assert not OutboundMessage.objects.filter(template="access_code").exists()
    page = client.get(made_up["Location"]).content.decode()
    assert "If the reference and the phone number" in page or "code" in page
    assert client.post(reverse("support:find_code", args=["so"]), {"code": "123456"}).status_code == 200


def test_wrong_codes_run_out_and_old_codes_expire(client, ticket, settings):
    find(client, ticket.reference, "07700 900201")
    _message, code = sent_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(settings.SUPPORT_ACCESS_CODE_ATTEMPTS):
        assert client.post(reverse("support:find_code", args=["so"]), {"code": wrong}).status_code == 200
    assert client.post(reverse("support:find_code", args=["so"]), {"code": code}).status_code == 200  # locked now
    find(client, ticket.reference, "07700 900201")
    _message, code = sent_code()
    FamilyAccessCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.post(reverse("support:find_code", args=["so"]), {"code": code}).status_code == 200


def test_no_more_than_a_few_codes_an_hour_reach_a_family(client, ticket, settings):
    settings.SUPPORT_PUBLIC_RATE_LIMIT = 100
    for _ in range(6):
        find(client, ticket.reference, "07700 900201")
    assert OutboundMessage.objects.filter(template="access_code").count() == settings.SUPPORT_ACCESS_CODES_PER_HOUR


def test_guessing_is_rate_limited(client, ticket, settings):
    settings.SUPPORT_PUBLIC_RATE_LIMIT = 3
    for i in range(3):
        assert find(client, f"AAAAAAA{i}", "07700 900201").status_code == 302
    assert find(client, "AAAAAAA9", "07700 900201").status_code == 429


def test_the_code_page_without_a_request_goes_back_to_the_start(client, db):
    response = client.get(reverse("support:find_code", args=["so"]))
    assert response.status_code == 302 and response["Location"] == reverse("support:find", args=["so"])


@pytest.mark.parametrize("data", [{}, {"reference": "x" * 500, "contact": "y" * 5000}, {"reference": "<script>", "contact": "'; drop"}])
def test_bad_input_gets_a_clear_answer(client, db, data):
    response = client.post(reverse("support:find", args=["so"]), data)
    assert response.status_code in (200, 302)


def test_the_find_pages_are_in_the_familys_language_and_the_footer_stays_in_the_family_site(client, db):
    page = client.get(reverse("support:find", args=["ar"])).content.decode()
    assert 'lang="ar"' in page and 'dir="rtl"' in page
    assert reverse("support:find", args=["ar"]) in page and reverse("support:help_form", args=["ar"]) in page
    assert 'href="/"' not in page.split("<footer", 1)[1]


def test_a_code_typed_in_arabic_indic_digits_works(client, ticket):
    find(client, ticket.reference, "07700 900201", lang="ar")
    _message, code = sent_code()
    arabic = "".join("٠١٢٣٤٥٦٧٨٩"[int(d)] for d in code)
    response = client.post(reverse("support:find_code", args=["ar"]), {"code": arabic})
    assert response.status_code == 302 and response["Location"] == ticket.family_url()
