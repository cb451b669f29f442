"""Staff pages: the guide list, a guide's languages, editing one language's text beside the
English, adding a guide, and the coverage and readings figures. Agents and admins only."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from guides import services
from guides.content import CONTENT_LANGUAGES, GUIDES, TEXTS
from guides.coverage import coverage
from guides.models import Guide, GuideReading, GuideText
from guides.tests.factories import GuideFactory, GuideReadingFactory, GuideTextFactory

EDITORS = ("support_agent", "support_agent_all", "admin")
NOT_EDITORS = ("council_officer", "school_staff", "cio", "london_lead")


def text_post(**overrides):
    data = {"title": "Nie ładuje się", "summary": "Krótko.", "body": "Krok pierwszy.\nKrok drugi."}
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", EDITORS)
def test_agents_and_admins_edit_a_language_with_the_english_beside_it(client, users, role, django_assert_max_num_queries):
    client.force_login(users[role])
    guide = Guide.objects.get(slug="charging")
    url = reverse("guides:text_edit", args=[guide.pk, "pl"])
    with django_assert_max_num_queries(7):
        html = client.get(url).content.decode()
    assert 'lang="pl"' in html and "It will not charge or turn on" in html  # the English beside it
    response = client.post(url, text_post())
    assert response.status_code == 302 and response.url == guide.get_absolute_url()
    text = GuideText.objects.get(guide=guide, language="pl")
    assert text.title == "Nie ładuje się" and text.updated_by == users[role]
    assert text.history.count() >= 1


def test_right_to_left_editing_fields(client, users):
    client.force_login(users["support_agent"])
    guide = Guide.objects.get(slug="charging")
    html = client.get(reverse("guides:text_edit", args=[guide.pk, "ur"])).content.decode()
    assert 'dir="rtl"' in html and 'lang="ur"' in html


@pytest.mark.parametrize("role", NOT_EDITORS)
def test_school_staff_officers_and_others_cannot_edit_or_see_figures(client, users, role):
    client.force_login(users[role])
    guide = Guide.objects.get(slug="charging")
    before = GuideText.objects.get(guide=guide, language="pl").title
    for url in (
        reverse("guides:guide_list"), reverse("guides:coverage"), reverse("guides:guide_detail", args=[guide.pk]),
        reverse("guides:text_edit", args=[guide.pk, "pl"]), reverse("guides:guide_create"),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("guides:text_edit", args=[guide.pk, "pl"]), text_post()).status_code == 403
    assert client.post(reverse("guides:guide_update", args=[guide.pk]), {"slug": "x", "problem": "wifi"}).status_code == 403
    assert GuideText.objects.get(guide=guide, language="pl").title == before


def test_anonymous_is_sent_to_sign_in(client, db):
    guide = Guide.objects.get(slug="charging")
    response = client.post(reverse("guides:text_edit", args=[guide.pk, "pl"]), text_post())
    assert response.status_code == 302 and "/sign-in/" in response.url


def test_unknown_language_or_guide_is_404_for_editors(client, users):
    client.force_login(users["admin"])
    guide = Guide.objects.get(slug="charging")
    assert client.get(reverse("guides:text_edit", args=[guide.pk, "xx"])).status_code == 404
    assert client.post(reverse("guides:text_edit", args=[guide.pk, "xx"]), text_post()).status_code == 404
    assert client.get(reverse("guides:text_edit", args=[999999, "pl"])).status_code == 404
    assert client.get(reverse("guides:guide_detail", args=[999999])).status_code == 404


def test_an_empty_text_is_refused(client, users):
    client.force_login(users["support_agent"])
    guide = Guide.objects.get(slug="charging")
    response = client.post(reverse("guides:text_edit", args=[guide.pk, "pl"]), text_post(title="", body=""))
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()


def test_adding_a_guide_then_its_english(client, users):
    client.force_login(users["support_agent"])
    response = client.post(reverse("guides:guide_create"), {
        "slug": "chromebook-sign-in", "problem": "sign_in", "device_kind": "laptop",
        "device_make": "Lenovo", "device_model": "100e Chromebook Gen 3", "is_published": "on", "order": "11",
    })
    guide = Guide.objects.get(slug="chromebook-sign-in")
    assert response.url == reverse("guides:text_edit", args=[guide.pk, "en"])
    client.post(response.url, text_post(title="Sign in to the Chromebook"))
    assert client.get(f"/help/ta/guides/{guide.slug}/").status_code == 200  # English, marked as such
    # A model without a make is refused.
    response = client.post(reverse("guides:guide_create"), {"slug": "nomake", "problem": "wifi", "device_model": "X1", "order": "1"})
    assert response.status_code == 200 and not Guide.objects.filter(slug="nomake").exists()


def test_guide_settings_can_be_changed(client, users):
    client.force_login(users["admin"])
    guide = Guide.objects.get(slug="charging")
    response = client.post(reverse("guides:guide_update", args=[guide.pk]), {
        "slug": "charging", "problem": "charger", "device_kind": "", "order": "5",
    })
    assert response.status_code == 302
    guide.refresh_from_db()
    assert guide.is_published is False and guide.order == 5
    assert client.get("/help/en/guides/charging/").status_code == 404


def test_list_and_detail_show_every_language(client, users, django_assert_max_num_queries):
    client.force_login(users["support_agent"])
    GuideTextFactory.create_batch(5)  # more guides, the same number of queries
    with django_assert_max_num_queries(7):
        response = client.get(reverse("guides:guide_list") + "?per_page=200")
    html = response.content.decode()
    assert "huawei-e5576-set-up" in html and f"{len(settings.LANGUAGES)} / {len(settings.LANGUAGES)}" in html
    assert client.get(reverse("guides:guide_list") + "?_export=csv").status_code == 200
    guide = Guide.objects.get(slug="charging")
    with django_assert_max_num_queries(8):
        html = client.get(guide.get_absolute_url()).content.decode()
    for code, _name in settings.LANGUAGES:
        assert reverse("guides:text_edit", args=[guide.pk, code]) in html


def test_list_filter_by_missing_language(client, users):
    client.force_login(users["support_agent"])
    guide = GuideFactory(slug="half-done")
    GuideTextFactory(guide=guide, language="en")
    html = client.get(reverse("guides:guide_list") + "?missing=pl").content.decode()
    assert "half-done" in html and "router-set-up" not in html


def test_coverage_counts_translated_missing_and_stale(client, users, django_assert_max_num_queries):
    guide = GuideFactory(slug="partly")
    old = timezone.now() - datetime.timedelta(days=3)
    GuideTextFactory(guide=guide, language="en")
    GuideTextFactory(guide=guide, language="pl", updated_at=old)  # the English changed since: stale
    GuideTextFactory(guide=guide, language="so", updated_at=timezone.now() + datetime.timedelta(seconds=5))
    report = coverage([guide])
    statuses = {c["code"]: c["status"] for c in report["rows"][0]["cells"]}
    assert statuses["en"] == "translated" and statuses["so"] == "translated"
    assert statuses["pl"] == "stale" and statuses["ur"] == "missing"
    totals = {t["code"]: t for t in report["totals"]}
    assert (totals["pl"]["translated"], totals["pl"]["stale"], totals["pl"]["missing"]) == (0, 1, 0)

    client.force_login(users["admin"])
    GuideTextFactory.create_batch(5)  # more guides, the same number of queries
    with django_assert_max_num_queries(8):
        html = client.get(reverse("guides:coverage")).content.decode()
    assert "partly" in html and "Out of date: Polski" in html and "Missing: اردو" in html


def test_saving_the_english_makes_translations_stale(db):
    guide = Guide.objects.get(slug="charging")
    services.save_text(guide=guide, language="en", title="It will not charge", summary="", body="Step one.\nStep two.")
    statuses = {c["code"]: c["status"] for c in coverage([guide])["rows"][0]["cells"]}
    assert statuses["en"] == "translated"
    assert {s for code, s in statuses.items() if code != "en"} == {"stale"}


def test_reading_figures_per_guide(client, users):
    guide = Guide.objects.get(slug="charging")
    GuideReading.objects.all().delete()
    GuideReadingFactory(guide=guide, helped="yes")
    GuideReadingFactory(guide=guide, helped="yes")
    GuideReadingFactory(guide=guide, helped="no", ticket_raised=True)
    GuideReadingFactory(guide=guide, helped="")
    GuideReadingFactory(guide=guide, helped="", ticket_raised=True)
    assert GuideReading.objects.figures_by_guide()[guide.pk] == {"readings": 5, "helped_yes": 2, "helped_no": 1, "no_ticket": 3}
    client.force_login(users["support_agent"])
    html = client.get(reverse("guides:coverage")).content.decode()
    row = html.split('data-guide="charging"')[1].split("</tr>")[0]
    assert [cell.split("<")[0] for cell in row.split('numeric">')[1:]] == ["5", "2", "1", "3"]
    html = client.get(guide.get_absolute_url()).content.decode()
    assert "5 readings: 2 said it helped, 1 said it did not; 3 raised no ticket afterwards" in html


def test_navigation_entry_for_agents_only(client, users):
    # Among the header's Support section's pages, listed on each of them (the queue is the first).
    client.force_login(users["support_agent"])
    assert 'href="/guides/"' in client.get("/support/").content.decode()
    client.force_login(users["council_officer"])
    assert 'href="/guides/"' not in client.get("/support/tickets/").content.decode()


# The shipped content -------------------------------------------------------------------------


def test_every_guide_has_a_text_in_every_language(db):
    """Translation coverage: every published guide is written in every language of settings.LANGUAGES."""
    codes = [code for code, _name in settings.LANGUAGES]
    for guide in Guide.objects.published():
        have = set(guide.texts.values_list("language", flat=True))
        assert not set(codes) - have, f"{guide.slug} has no text in {sorted(set(codes) - have)}"


def test_the_shipped_content_is_complete_and_phone_sized():
    slugs = [g["slug"] for g in GUIDES]
    problems = {g["problem"] for g in GUIDES}
    assert problems == {"sign_in", "password", "wifi", "data", "charger", "screen", "lost"}
    assert any(g.get("device_model") for g in GUIDES), "at least one guide for one device model"
    assert set(CONTENT_LANGUAGES) == set(TEXTS), f"missing content modules: {set(CONTENT_LANGUAGES) - set(TEXTS)}"
    for code, texts in TEXTS.items():
        assert set(texts) == set(slugs), f"{code}: {set(slugs) ^ set(texts)}"
        for slug, (title, summary, steps) in texts.items():
            assert title and len(title) <= 120 and len(summary) <= 300, (code, slug)
            assert 4 <= len(steps) <= 7, (code, slug)
            assert all(step.strip() and "\n" not in step and "<" not in step for step in steps), (code, slug)
            assert len(steps) == len(TEXTS["en"][slug][2]), f"{code} {slug}: not the same steps as the English"


def test_loading_again_adds_only_what_is_missing_and_keeps_edits(db):
    guide = Guide.objects.get(slug="charging")
    services.save_text(guide=guide, language="pl", title="Poprawiony tytuł", summary="", body="Jeden.\nDwa.")
    GuideText.objects.filter(guide=guide, language="so").delete()
    count = GuideText.objects.count()
    assert services.load_content() == (0, 1)
    assert GuideText.objects.count() == count + 1
    assert GuideText.objects.get(guide=guide, language="pl").title == "Poprawiony tytuł"
    assert services.load_content() == (0, 0)
