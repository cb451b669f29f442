"""Sign in, sign out, password reset by email, navigation and the home page per role."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"  # accounts.tests.factories.UserFactory


def test_sign_in_goes_home_and_shows_role_and_scope(client, users, la):
    user = users["council_officer"]
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    page = client.get(reverse("home")).content.decode()
    assert "Council officer" in page
    assert f'<span data-testid="scope">{la.name}</span>' in page


def test_wrong_password_shows_an_error_and_signs_nobody_in(client, users):
    response = client.post(reverse("login"), {"username": users["cio"].username, "password": "nope"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and "There is a problem" in page
    assert "_auth_user_id" not in client.session


def test_sign_in_returns_to_the_page_asked_for(client, users):
    target = reverse("accounts:school_list")
    response = client.get(target)
    assert response.status_code == 302 and response["Location"] == f"{reverse('login')}?next={target}"
    response = client.post(f"{reverse('login')}?next={target}", {"username": users["cio"].username, "password": PASSWORD, "next": target})
    assert response["Location"] == target


def test_sign_out_is_a_post_and_ends_the_session(client, users):
    client.force_login(users["council_officer"])
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_password_reset_by_email(client, users):
    user = users["school_staff"]
    response = client.post(reverse("password_reset"), {"email": user.email})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    link = re.search(r"https?://[^/\s]+(/password-reset/[^\s]+/)", mail.outbox[0].body).group(1)

    response = client.get(link)  # Django swaps the token for a session marker, then redirects
    assert response.status_code == 302
    set_password_url = response["Location"]
    response = client.post(set_password_url, {"new_password1": "a-new-long-passphrase-42", "new_password2": "a-new-long-passphrase-42"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_complete")
    assert client.get(reverse("password_reset_complete")).status_code == 200

    assert client.login(username=user.username, password="a-new-long-passphrase-42")
    client.logout()
    response = client.get(link)  # a used link no longer works
    assert response.status_code == 200 and "This link has expired" in response.content.decode()


def test_password_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(client, users):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_password_change_needs_sign_in(client, users):
    assert client.get(reverse("password_change")).status_code == 302
    client.force_login(users["cio"])
    assert client.get(reverse("password_change")).status_code == 200


def nav_links(client):
    page = client.get(reverse("home")).content.decode()
    nav = re.search(r'<ul class="govuk-service-navigation__list" id="navigation">(.*?)</ul>', page, re.S)
    return re.findall(r'href="([^"]+)"', nav.group(1)) if nav else []


@pytest.mark.parametrize(
    "role, shown, hidden",
    [
        ("council_officer", ["home", "accounts:school_list"], ["accounts:la_list"]),
        ("cio", ["home", "accounts:school_list"], ["accounts:la_list"]),
        ("support_agent", ["home", "accounts:school_list"], ["accounts:la_list"]),
        ("school_staff", ["home"], ["accounts:school_list", "accounts:la_list"]),
        ("london_lead", ["home", "accounts:la_list"], ["accounts:school_list"]),
        ("admin", ["accounts:school_list", "reports:dashboard"], []),  # the LA list is among the Reports section's pages
    ],
)
def test_navigation_by_role(client, users, role, shown, hidden):
    client.force_login(users[role])
    links = nav_links(client)
    for name in shown:
        assert reverse(name) in links, (role, name, links)
    for name in hidden:
        assert reverse(name) not in links, (role, name, links)


def card(page, label):
    match = re.search(r'<span class="app-card__value">([^<]*)</span>\s*<a class="govuk-link" href="[^"]*">' + label, page)
    return match.group(1) if match else None


def test_home_dashboard_counts_within_scope(client, users, la, other_la, school, other_school):
    SchoolFactory.create_batch(2, local_authority=la)
    expected = {
        "council_officer": {"Schools": "3", "Local authorities": "1"},
        "cio": {"Schools": "3"},
        "school_staff": {"Schools": "1", "Local authorities": None},
        "support_agent_all": {"Schools": "4", "Local authorities": "2"},
        "london_lead": {"Local authorities": "2", "Schools": None},
        "admin": {"Schools": "4", "Local authorities": "2"},
    }
    for role, cards in expected.items():
        client.force_login(users[role])
        page = client.get(reverse("home")).content.decode()
        assert "At a glance" in page
        for label, value in cards.items():
            assert card(page, label) == value, (role, label)


def test_home_needs_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role, url_name", [("london_lead", "accounts:school_list"), ("london_lead", "accounts:school_detail")])
def test_wrong_role_gets_403_with_a_clear_page(client, users, school, role, url_name):
    client.force_login(users[role])
    url = reverse(url_name, args=[school.pk]) if url_name.endswith("detail") else reverse(url_name)
    response = client.get(url)
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()


def test_out_of_scope_detail_is_404(client, users, other_school):
    client.force_login(users["council_officer"])
    assert client.get(other_school.get_absolute_url()).status_code == 404
    client.force_login(users["school_staff"])
    assert client.get(other_school.get_absolute_url()).status_code == 404
