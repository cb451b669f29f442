import re

import pytest
from django.urls import reverse
from django.utils import timezone

from allocations import services
from allocations.tests.factories import ChildFactory, complete_readiness
from devices.models import DeviceStatus
from devices.tests.factories import DeviceFactory


def handed_over(child, officer, serial):
    device = DeviceFactory(local_authority=child.local_authority, status=DeviceStatus.IN_STOCK, serial=serial)
    allocation = services.allocate(child=child, device=device, by=officer)
    return services.hand_over(allocation=allocation, on=timezone.localdate(), handed_over_by="Ms T", received_by="Mr P", by=officer)


def sections(html):
    return re.findall(r'<section class="app-letter__section" lang="([a-z]+)" dir="(rtl|ltr)"[^>]*>(.*?)</section>', html, re.S)


def test_urdu_letter_is_rtl_with_english_beside(client, users, school, settings):
    settings.SUPPORT_PHONE = "020 7946 0999"
    officer = users["council_officer"]
    child = ChildFactory(school=school, first_name="Zara", preferred_language="ur")
    allocation = handed_over(child, officer, "LT-UR-1")
    client.force_login(users["school_staff"])  # schools print letters
    response = client.get(reverse("allocations:allocation_letter", args=[allocation.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    found = sections(html)
    assert [(lang, direction) for lang, direction, _ in found] == [("ur", "rtl"), ("en", "ltr")]
    urdu, english = found[0][2], found[1][2]
    assert "آپ کے بچے کا آلہ" in urdu  # "Your child's device"
    assert "سیریل نمبر" in urdu
    assert "Your child's device" in english and "Serial number" in english
    for body in (urdu, english):
        assert "Zara" in body
        assert "LT-UR-1" in body
        assert "020 7946 0999" in body
    # The phone number and serial keep their left-to-right order inside Urdu.
    assert '<bdi dir="ltr">020 7946 0999</bdi>' in urdu
    # A print-only page: no service navigation, print CSS loaded.
    assert "govuk-service-navigation" not in html
    assert "css/allocations.css" in html


def test_somali_letter_ltr_with_qr_to_prefilled_help_form(client, officer, school):
    child = ChildFactory(school=school, first_name="Hodan", preferred_language="so")
    allocation = handed_over(child, officer, "LT-SO-1")
    client.force_login(officer)
    html = client.get(reverse("allocations:allocation_letter", args=[allocation.pk])).content.decode()
    found = sections(html)
    assert [(lang, direction) for lang, direction, _ in found] == [("so", "ltr"), ("en", "ltr")]
    somali = found[0][2]
    assert "Qalabka ilmahaaga" in somali
    assert "Sida loo helo caawimaad" in somali
    assert "Hodan" in somali
    # QR code: an inline SVG (no script or style, so the CSP allows it) and the URL it encodes.
    assert re.search(r'<svg role="img"[^>]*viewBox=', html)
    assert "http://testserver/help/?serial=LT-SO-1" in html
    assert "<script" not in html and "style=" not in html


def test_qr_code_encodes_help_url():
    from allocations.letters import qr_svg

    svg = qr_svg("https://example.org/help/?serial=X1", "X1")
    assert svg.startswith('<svg role="img"') and "<path" in svg


def test_ownership_letter_in_somali(client, officer, school):
    child = ChildFactory(school=school, first_name="Hodan", preferred_language="so")
    allocation = handed_over(child, officer, "LT-SO-2")
    complete_readiness(allocation, officer)
    services.transfer_ownership(allocation=allocation, by=officer, on=timezone.localdate())
    client.force_login(officer)
    html = client.get(reverse("allocations:allocation_letter", args=[allocation.pk])).content.decode()
    somali, english = (body for _, _, body in sections(html))
    assert "Qalabkan hadda waxaa iska leh qoyskaaga" in somali
    assert "Qalabku waa kiinna" in somali
    assert "This device now belongs to your family" in english
    assert "You do not need to give it back" in english


def test_english_family_gets_one_section(client, officer, school):
    child = ChildFactory(school=school, preferred_language="en")
    allocation = handed_over(child, officer, "LT-EN-1")
    client.force_login(officer)
    html = client.get(reverse("allocations:allocation_letter", args=[allocation.pk]) + "?kind=handover").content.decode()
    assert [lang for lang, _, _ in sections(html)] == ["en"]


@pytest.mark.parametrize("language", ["pl", "bn", "ar"])
def test_other_languages_render_with_english(client, officer, school, language):
    child = ChildFactory(school=school, preferred_language=language)
    allocation = handed_over(child, officer, f"LT-{language}")
    client.force_login(officer)
    html = client.get(reverse("allocations:allocation_letter", args=[allocation.pk])).content.decode()
    found = [(lang, direction) for lang, direction, _ in sections(html)]
    assert found == [(language, "rtl" if language == "ar" else "ltr"), ("en", "ltr")]


def test_letter_out_of_scope_is_404(client, users, other_school):
    child = ChildFactory(school=other_school)
    allocation = handed_over(child, users["admin"], "LT-FOREIGN")
    client.force_login(users["school_staff"])
    assert client.get(reverse("allocations:allocation_letter", args=[allocation.pk])).status_code == 404


def test_ownership_letter_only_after_transfer(client, officer, school):
    child = ChildFactory(school=school, preferred_language="en")
    allocation = handed_over(child, officer, "LT-EN-2")
    client.force_login(officer)
    html = client.get(reverse("allocations:allocation_letter", args=[allocation.pk]) + "?kind=ownership").content.decode()
    assert "This device now belongs to your family" not in html
    assert "Your child&#x27;s device" in html or "Your child's device" in html


def test_the_letter_is_posted_through_the_messaging_layer_in_the_familys_language(client, users, school):
    from django.urls import reverse
    from django.utils import timezone

    from allocations import services
    from allocations.tests.factories import ChildFactory
    from devices.models import DeviceStatus
    from devices.tests.factories import DeviceFactory
    from messaging.models import OutboundMessage

    officer = users["council_officer"]
    child = ChildFactory(school=school, first_name="Amani", preferred_language="so", guardian_name="Hodan Ali")
    device = DeviceFactory(local_authority=child.local_authority, status=DeviceStatus.IN_STOCK, serial="LT-POST-1")
    allocation = services.allocate(child=child, device=device, by=officer)
    services.hand_over(allocation=allocation, on=timezone.localdate(), handed_over_by="Ms T", received_by="Hodan", by=officer)
    client.force_login(officer)
    url = reverse("allocations:allocation_letter_post", args=[allocation.pk])
    assert "Hodan Ali" in client.get(url).content.decode()
    assert client.post(url, {"kind": "handover", "address": "London"}).status_code == 200  # too short
    data = {"kind": "handover", "address": "Hodan Ali\n12 Leighton Road\nLondon\nNW5 2QE"}
    assert client.post(url, data).status_code == 302
    client.post(url, data)  # twice: one letter
    letter = OutboundMessage.objects.get(channel="letter")
    assert letter.language == "so" and letter.recipient.endswith("NW5 2QE")
    assert "Qalabka ilmahaaga" in letter.body and "Your child's device" in letter.body and "LT-POST-1" in letter.body
    assert "<" not in letter.body
    client.force_login(users["london_lead"])
    assert client.get(url).status_code in (403, 404)
