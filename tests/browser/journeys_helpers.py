"""A journey through the real pages: every page reached is checked with axe-core once."""

import re
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
RESULTS = Path(settings.BASE_DIR) / "test-results"


class Journey:
    """Wraps a Playwright page: navigation goes through links, buttons and forms, and each new
    page (address and main heading) is checked for accessibility the first time it is seen."""

    def __init__(self, page, assert_accessible):
        self.page = page
        self._assert_accessible = assert_accessible
        self.seen = set()

    def check(self):
        self.page.wait_for_load_state()
        heading = self.page.locator("h1").first.inner_text() if self.page.locator("h1").count() else ""
        key = (self.page.url.split("#", 1)[0], heading)
        if key not in self.seen:
            self.seen.add(key)
            self._assert_accessible(self.page)
        return self.page

    def goto(self, url):
        self.page.goto(url)
        return self.check()

    def follow(self, locator):
        """Click a link or submit button that loads a new page, then check that page."""
        with self.page.expect_navigation():
            locator.click()
        return self.check()

    def nav(self, name, section=None):
        """Follow a link of the header's service navigation; with ``section``, open that section
        from the header first, then follow ``name`` among the section's pages below it."""
        menu = self.page.get_by_role("navigation", name="Menu")
        if section is None:
            return self.follow(menu.get_by_role("link", name=name, exact=True))
        self.follow(menu.get_by_role("link", name=section, exact=True))
        pages = self.page.get_by_role("navigation", name="Pages in this section")
        return self.follow(pages.get_by_role("link", name=name, exact=True))

    def link(self, name, exact=False):
        """Follow a link in the page's main content (not the header's navigation)."""
        return self.follow(self.page.locator("main").get_by_role("link", name=name, exact=exact).first)

    def button(self, name, exact=False):
        return self.follow(self.page.get_by_role("button", name=name, exact=exact).first)

    def upload(self, label, path):
        """Choose a file as a person does: GOV.UK's file upload is a button named by the field's
        label, which opens the browser's file chooser."""
        with self.page.expect_file_chooser() as chooser:
            self.page.get_by_role("button", name=label).click()
        chooser.value.set_files(path)

    def download(self, locator, to):
        with self.page.expect_download() as info:
            locator.click()
        path = Path(to) / info.value.suggested_filename
        info.value.save_as(path)
        return path


@contextmanager
def another_person(browser, base_url, name):
    """A second, separate browser (own cookies) for a second person in the same journey; like
    the ``page`` fixture it saves a screenshot to test-results/ if the journey fails in it."""
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    try:
        yield tab
    except BaseException:
        RESULTS.mkdir(exist_ok=True)
        safe = re.sub(r"[^\w.-]+", "_", name)
        tab.screenshot(path=str(RESULTS / f"{safe}.png"), full_page=True)
        raise
    finally:
        context.close()
