"""A family reads a self-help guide before the form, in a real browser, every page checked by
axe-core: Urdu (right to left) from the QR code's serial -> the model's router guide -> "No"
-> the form with the problem and serial filled in; and a Polish family whose guide helped."""

import pytest

from accounts.tests.factories import LocalAuthorityFactory, SchoolFactory
from devices.tests.factories import RouterFactory
from guides.models import GuideReading
from guides.services import load_content
from tests.browser.journeys_helpers import Journey

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _guides_and_fresh_rate_limits(transactional_db):
    from django.core.cache import cache

    cache.clear()
    load_content()
    yield
    cache.clear()


def test_urdu_family_reads_the_router_guide_then_asks_for_help(page, assert_accessible):
    la = LocalAuthorityFactory(code="202", name="Camden")
    RouterFactory(serial="DFC-RTR-0077", make="Huawei", model="E5576", local_authority=la, school=SchoolFactory(local_authority=la))
    family = Journey(page, assert_accessible)
    family.goto("/help/?serial=DFC-RTR-0077")
    family.follow(page.locator('a[hreflang="ur"]'))
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.check('input[name="problem"][value="wifi"]')
    page.check('input[name="device"][value="router"]')
    family.follow(page.locator("main form button[type=submit]"))
    assert "/help/ur/guides/huawei-e5576-set-up/" in page.url
    assert page.locator("h1").inner_text() == "Huawei E5576 راؤٹر تیار کریں"
    assert page.locator("ol.app-guide__steps li").count() == 4
    family.follow(page.locator('button[name="helped"][value="no"]'))
    assert "/help/ur/?" in page.url
    assert page.locator('input[name="category"][value="no_internet"]').is_checked()
    assert page.locator('input[name="serial"]').input_value() == "DFC-RTR-0077"
    reading = GuideReading.objects.get()
    assert (reading.language, reading.helped) == ("ur", "no")


def test_polish_family_is_helped_by_a_guide(page, assert_accessible):
    family = Journey(page, assert_accessible)
    family.goto("/help/pl/start/")
    page.check('input[name="problem"][value="charger"]')
    family.follow(page.locator("main form button[type=submit]"))
    assert page.locator("h1").inner_text() == "Nie ładuje się lub nie włącza"
    family.follow(page.locator('button[name="helped"][value="yes"]'))
    assert page.url.endswith("/help/pl/guides/charging/solved/")
    assert GuideReading.objects.get().helped == "yes"
