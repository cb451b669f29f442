"""Browser test fixtures: Playwright driving Debian's Chromium against pytest-django's
``live_server``, and axe-core for accessibility.

Use them in a journey test::

    @pytest.mark.browser
    def test_officer_records_a_handover(page, login, assert_accessible, officer):
        login(page, officer)
        page.goto("/devices/")
        assert_accessible(page)

Chromium comes from Debian (``apt-get install chromium``); a downloaded browser is never used.
Where ``/usr/bin/chromium`` is missing the tests are skipped with the reason.
"""

import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# Checks axe-core does not make (unique ids, one label per control, isolated right-to-left text,
# a title and heading that name the page, tables that fit at 1280 px): tests/browser/page_checks.js.
PAGE_CHECKS = (Path(__file__).parent / "page_checks.js").read_text(encoding="utf-8")
VIEWPORT = {"width": 1280, "height": 800}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RESULTS = Path(settings.BASE_DIR) / "test-results"
PASSWORD = "correct-horse-battery"  # accounts.tests.factories.UserFactory


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session", autouse=True)
def _plain_http_live_server():
    """The live server speaks plain HTTP on localhost: no HTTPS redirect or Secure-only cookies.
    Session-scoped so it is in force before the (session-scoped) live server loads middleware."""
    from django.test import override_settings

    with override_settings(SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False, SECURE_HSTS_SECONDS=0):
        yield


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium): browser tests skipped")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in a
    # thread with a running loop unless told it is safe (it is: the loop never runs our code).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db, request):
    """A fresh browser tab on the live server; a screenshot goes to test-results/ on failure."""
    # bypass_csp lets axe-core be injected; the pages themselves still send their CSP header.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="en-GB", viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        RESULTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        tab.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)
    context.close()


def _login(page, user, password=PASSWORD):
    """Sign in through the sign-in page, as a person would."""
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)
    return page


@pytest.fixture
def login():
    return _login


def format_violations(violations):
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']} [{', '.join(t for t in v['tags'] if t.startswith('wcag'))}]")
        lines.append(f"  {v['helpUrl']}")
        for node in v["nodes"][:5]:
            lines.append(f"    at {json.dumps(node['target'])}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


def page_problems(page):
    """The checks of ``page_checks.js`` on the page as it is now: a list of problems."""
    return page.evaluate(PAGE_CHECKS)


def _assert_accessible(page, tags=None):
    """Run axe-core on the page with the WCAG 2.2 AA rules, and the checks axe-core does not make
    (``page_checks.js``), and fail listing every violation and problem."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        tags or WCAG_TAGS,
    )
    violations = result["violations"]
    problems = page_problems(page)
    if violations or problems:
        RESULTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", page.url.split("//", 1)[-1])
        page.screenshot(path=str(RESULTS / f"axe_{name}.png"), full_page=True)
        report = []
        if violations:
            report.append(f"axe-core found {len(violations)} accessibility violation(s) on {page.url}:\n{format_violations(violations)}")
        if problems:
            report.append(f"{len(problems)} page check(s) failed on {page.url} (tests/browser/page_checks.js):\n" + "\n".join(f"- {p}" for p in problems))
        pytest.fail("\n".join(report))
    return result


@pytest.fixture
def assert_accessible():
    return _assert_accessible
