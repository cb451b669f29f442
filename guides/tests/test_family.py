"""The family's self-help step: /help/ -> the language -> "What do you need help with?" -> the
guide -> "Did this solve it?" -> thanks, or the ticket form pre-filled."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from devices.tests.factories import RouterFactory
from guides.models import Guide, GuideReading, GuideText
from guides.services import SESSION_KEY
from guides.tests.factories import GuideFactory, GuideTextFactory
from support.models import Ticket


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def start(client, lang, **query):
    return client.get(reverse("guides:start", args=[lang]), query)


def test_language_links_go_to_the_self_help_step_and_keep_the_serial(client, db):
    html = client.get("/help/?serial=SN123").content.decode()
    assert 'href="/help/so/start/?serial=SN123"' in html
    html = start(client, "so", serial="SN123").content.decode()
    assert 'name="serial" value="SN123"' in html
    assert 'href="/help/so/?serial=SN123"' in html  # "something else" goes straight to the form


def test_polish_family_picks_a_problem_reads_the_guide_and_it_helped(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = start(client, "pl", problem="charger", device="computer")
    assert response.status_code == 302 and response.url == "/help/pl/guides/charging/"
    with django_assert_max_num_queries(8):
        response = client.get(response.url)
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Language"] == "pl"
    assert '<html lang="pl" dir="ltr"' in html
    assert "Nie ładuje się lub nie włącza" in html  # the Polish title
    assert 'data-testid="fallback"' not in html
    assert GuideReading.objects.get().language == "pl"

    response = client.post("/help/pl/guides/charging/", {"helped": "yes", "serial": ""})
    assert response.status_code == 302 and response.url == "/help/pl/guides/charging/solved/"
    assert client.get(response.url).status_code == 200
    reading = GuideReading.objects.get()
    assert (reading.helped, reading.ticket_raised) == ("yes", False)


@pytest.mark.parametrize("lang", ["ur", "ar"])
def test_right_to_left_languages(client, db, lang):
    response = client.get(f"/help/{lang}/guides/lost-or-stolen/")
    html = response.content.decode()
    assert f'<html lang="{lang}" dir="rtl"' in html
    title = GuideText.objects.get(guide__slug="lost-or-stolen", language=lang).title
    assert title in html
    assert html.count("<li>") >= 4
    html = start(client, lang).content.decode()
    assert f'<html lang="{lang}" dir="rtl"' in html


@pytest.mark.parametrize("lang,question", [("so", "Maxaad caawimaad uga baahan tahay?"), ("ur", "آپ کو کس چیز میں مدد چاہیے؟")])
def test_the_step_itself_is_in_the_family_language(client, db, lang, question):
    html = start(client, lang).content.decode()
    assert question in html


def test_no_means_the_ticket_form_with_the_category_and_serial(client, db):
    client.get("/help/so/guides/data-ran-out/?serial=DFC-1")
    response = client.post("/help/so/guides/data-ran-out/", {"helped": "no", "serial": "DFC-1"})
    assert response.status_code == 302
    assert response.url == "/help/so/?category=no_internet&serial=DFC-1"
    html = client.get(response.url).content.decode()
    assert re.search(r'value="no_internet"[^>]*checked|checked[^>]*value="no_internet"', html)
    assert 'value="DFC-1"' in html
    reading = GuideReading.objects.get()
    assert reading.helped == "no" and reading.language == "so"


def test_a_guide_without_a_translation_shows_the_english_marked_as_such(client, db):
    guide = GuideFactory(slug="only-english", problem="charger")
    GuideTextFactory(guide=guide, language="en", title="Only in English")
    html = client.get("/help/ta/guides/only-english/").content.decode()
    assert 'data-testid="fallback"' in html
    assert "இந்த வழிகாட்டி இன்னும் உங்கள் மொழியில் இல்லை" in html  # the notice itself is in Tamil
    assert re.search(r'<div class="app-guide" lang="en" dir="ltr">\s*<h1[^>]*>Only in English</h1>', html)
    assert '<html lang="ta"' in html
    # In English itself it is not a fallback.
    assert 'data-testid="fallback"' not in client.get("/help/en/guides/only-english/").content.decode()


def test_a_guide_with_no_text_at_all_or_unpublished_is_not_found(client, db):
    GuideFactory(slug="empty-guide")
    assert client.get("/help/pl/guides/empty-guide/").status_code == 404
    guide = GuideFactory(slug="draft-guide", is_published=False)
    GuideTextFactory(guide=guide)
    assert client.get("/help/pl/guides/draft-guide/").status_code == 404
    assert client.post("/help/pl/guides/draft-guide/", {"helped": "yes"}).status_code == 404


def test_router_serial_picks_the_model_specific_guide_without_revealing_the_device(client, db):
    router = RouterFactory(serial="DFC-RTR-0042", make="Huawei", model="E5576")
    response = start(client, "en", problem="wifi", device="computer", serial="dfc-rtr-0042")
    assert response.url == "/help/en/guides/huawei-e5576-set-up/?serial=dfc-rtr-0042"
    html = client.get(response.url).content.decode()
    assert router.local_authority.name not in html and "DFC-RTR-0042" not in html
    # Without a serial: the general router guide; a laptop: the laptop guide.
    assert start(client, "en", problem="wifi", device="router").url == "/help/en/guides/router-set-up/"
    assert start(client, "en", problem="wifi", device="computer").url == "/help/en/guides/wifi-laptop/"
    # An unknown serial behaves exactly like no serial.
    assert start(client, "en", problem="wifi", device="router", serial="NOPE").url == "/help/en/guides/router-set-up/?serial=NOPE"


def test_a_tablet_serial_gets_the_laptop_or_tablet_guide(client, db):
    from devices.tests.factories import DeviceFactory

    DeviceFactory(serial="DFC-TAB-0001", kind="tablet", make="Lenovo", model="Tab M10")
    assert start(client, "en", problem="wifi", serial="DFC-TAB-0001").url == "/help/en/guides/wifi-laptop/?serial=DFC-TAB-0001"


def test_staff_previews_are_not_counted_as_readings(client, users):
    client.force_login(users["support_agent"])
    assert client.get("/help/pl/guides/charging/").status_code == 200
    assert not GuideReading.objects.exists()


def test_several_guides_are_offered_to_choose_from(client, db):
    html = start(client, "pl", problem="wifi").content.decode()
    assert "/help/pl/guides/wifi-laptop/" in html and "/help/pl/guides/router-set-up/" in html
    assert "/help/pl/guides/huawei-e5576-set-up/" not in html
    assert 'href="/help/pl/?category=no_internet"' in html


def test_a_problem_without_a_guide_goes_straight_to_the_form(client, db):
    Guide.objects.filter(problem="screen").update(is_published=False)
    response = start(client, "pl", problem="screen", device="computer", serial="X1")
    assert response.url == "/help/pl/?category=damage&serial=X1"


def test_reading_then_raising_a_ticket_is_counted(client, db):
    client.get("/help/en/guides/charging/")
    client.get("/help/en/guides/charging/")  # a reload is the same reading
    client.get("/help/en/guides/broken-screen/")
    assert GuideReading.objects.count() == 2
    client.post("/help/en/guides/charging/", {"helped": "no"})
    response = client.post(reverse("support:help_form", args=["en"]), {
        "name": "Ayesha Khan", "phone": "07700 900123", "category": "hardware",
        "description": "It will not turn on.", "website": "",
    })
    assert response.status_code == 302 and Ticket.objects.count() == 1
    assert set(GuideReading.objects.values_list("ticket_raised", flat=True)) == {True}
    assert SESSION_KEY not in client.session
    # Another family reads and is helped: read without a ticket.
    other = client.__class__()
    other.get("/help/en/guides/charging/")
    assert GuideReading.objects.filter(ticket_raised=False).count() == 1


def test_a_ticket_without_reading_a_guide_changes_nothing(client, db):
    GuideReading.objects.create(guide=Guide.objects.get(slug="charging"), language="en")
    client.post(reverse("support:help_form", args=["en"]), {
        "name": "A", "phone": "07700 900123", "category": "hardware", "description": "Broken.", "website": "",
    })
    assert Ticket.objects.count() == 1
    assert not GuideReading.objects.filter(ticket_raised=True).exists()


@pytest.mark.parametrize("path", [
    "/help/xx/start/", "/help/xx/guides/charging/", "/help/pl/guides/no-such-guide/",
    "/help/pl/guides/no-such-guide/solved/", "/help/xx/guides/charging/solved/",
])
def test_unknown_language_or_guide_is_404(client, db, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("data", [{}, {"helped": "maybe"}, {"helped": ""}, {"helped": "YES"}])
def test_forged_answers_are_refused_without_a_500(client, db, data):
    response = client.post("/help/pl/guides/charging/", data)
    assert response.status_code == 400
    assert not GuideReading.objects.exclude(helped="").exists()


@pytest.mark.parametrize("query", [
    {"problem": "nonsense"}, {"problem": "wifi", "device": "toaster"}, {"problem": ""},
    {"problem": "wifi", "serial": "x" * 500}, {"problem": ["wifi", "data"]},
])
def test_bad_start_choices_show_the_form_again(client, db, query):
    response = start(client, "pl", **query)
    assert response.status_code in (200, 302)
    html = response.content.decode()
    if response.status_code == 200:
        assert "govuk-error-summary" in html or "/help/pl/guides/" in html
    assert "x" * 61 not in html and "x" * 61 not in response.get("Location", "")


def test_a_long_serial_is_cut_not_refused(client, db):
    response = client.post("/help/pl/guides/charging/", {"helped": "no", "serial": "x" * 500})
    assert response.status_code == 302 and response.url.endswith("serial=" + "x" * 60)


def test_forged_session_values_do_not_break_the_hook(client, db):
    session = client.session
    session[SESSION_KEY] = {"1": "not-a-number", "x": None}
    session.save()
    assert client.get("/help/en/guides/charging/").status_code == 200
    response = client.post(reverse("support:help_form", args=["en"]), {
        "name": "A", "phone": "07700 900123", "category": "hardware", "description": "Broken.", "website": "",
    })
    assert response.status_code == 302
    assert GuideReading.objects.get().ticket_raised is True


def test_guide_steps_are_escaped(client, db):
    guide = GuideFactory(slug="escaped")
    GuideTextFactory(guide=guide, language="en", title="<b>Bold</b>", body="1. <script>alert(1)</script>\n2) Second")
    html = client.get("/help/en/guides/escaped/").content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "&lt;b&gt;Bold" in html
    assert "<li>Second</li>" in html
