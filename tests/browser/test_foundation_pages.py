"""The first journey: a school user signs in and sees their dashboard; the shared pages pass
axe-core's WCAG 2.2 AA rules."""

import pytest

from accounts.tests.factories import LocalAuthorityFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def camden(transactional_db):
    la = LocalAuthorityFactory(code="202", name="Camden", gss_code="E09000007")
    return la, SchoolFactory(local_authority=la, name="Haverstock School", urn=990053)


def test_sign_in_page_is_accessible(page, assert_accessible):
    page.goto("/sign-in/")
    assert page.get_by_role("heading", name="Sign in").is_visible()
    assert_accessible(page)


def test_school_user_signs_in_and_sees_their_dashboard(page, login, assert_accessible, camden, live_server):
    la, school = camden
    user = UserFactory(username="sam", first_name="Sam", role="school_staff", school=school)
    login(page, user)
    assert page.url == live_server.url + "/"
    assert page.get_by_role("heading", name="Welcome, Sam").is_visible()
    assert page.get_by_test_id("scope").inner_text() == "Haverstock School"
    assert page.get_by_role("link", name="Schools").count() >= 1  # the dashboard's Schools card
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in/")


def test_schools_list_is_accessible(page, login, assert_accessible, camden):
    la, _ = camden
    SchoolFactory.create_batch(3, local_authority=la)
    officer = UserFactory(username="olu", role="council_officer", local_authority=la)
    login(page, officer)
    page.goto("/schools/")
    assert page.get_by_role("heading", name="Schools", level=1).is_visible()
    assert page.get_by_role("link", name="Haverstock School").is_visible()
    assert_accessible(page)


def test_skip_link_reaches_the_main_content(page, login, camden):
    la, _ = camden
    login(page, UserFactory(username="cm", role="cio", local_authority=la))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    skip.press("Enter")
    assert page.url.endswith("#main-content")


def test_the_accessibility_check_reports_violations(page, assert_accessible):
    page.goto("/sign-in/")
    page.set_content("<html><body><img src='/static/x.png'><a href='/'></a></body></html>")
    with pytest.raises(pytest.fail.Exception) as excinfo:
        assert_accessible(page)
    message = str(excinfo.value)
    assert "image-alt" in message and "html-has-lang" in message


def test_the_page_checks_report_what_axe_does_not(page, assert_accessible):
    """Each check beyond axe-core (tests/browser/page_checks.js) fails the page it finds."""
    page.goto("/sign-in/")
    page.set_content(
        "<html lang='en' dir='ltr'><head><title>Allocation 42 – Devices</title></head><body><main>"
        "<h1>Allocation 42</h1>"
        "<label for='id_on'>Date</label><input id='id_on' name='on'>"
        "<label for='id_on'>Date returned</label><input id='id_on' name='on'>"
        "<input id='lonely' name='lonely'>"
        "<p>Urdu: <span>اردو</span> 1</p><p>Isolated: <bdi>اردو</bdi> 1</p>"
        "<div style='width:300px'><table><tr><td>" + "x" * 200 + "</td></tr></table></div>"
        "</main></body></html>"
    )
    with pytest.raises(pytest.fail.Exception) as excinfo:
        assert_accessible(page)
    message = str(excinfo.value)
    assert 'duplicate id: 2 elements have id="id_on"' in message
    assert "control with 2 labels" in message and 'control with no label: <input id="lonely"' in message
    assert message.count("right-to-left text not isolated") == 1  # the <bdi> one passes
    assert 'the <h1> "Allocation 42" names a database number' in message
    assert "px wide in a 300px container at 1280px" in message


def test_other_shared_pages_are_accessible(page, login, assert_accessible, camden):
    la, school = camden
    page.goto("/password-reset/")
    assert_accessible(page)
    page.get_by_role("button", name="Send reset link").click()  # empty form: the error summary
    assert page.get_by_text("There is a problem").is_visible()
    assert_accessible(page)
    login(page, UserFactory(username="olu", role="council_officer", local_authority=la))
    for url in (school.get_absolute_url(), la.get_absolute_url(), "/password-change/"):
        page.goto(url)
        assert_accessible(page)
