"""The header navigation: one row per role, every page a role may open reachable from it, and
the current section's pages listed on each of them (core/navigation.py)."""

import re

import pytest
from django.urls import reverse

from core.navigation import FLAT_MAX, SECTIONS, _visible, all_items, menus_for

HEADER = re.compile(r'<ul class="govuk-service-navigation__list" id="navigation">(.*?)</ul>', re.S)
SECTION = re.compile(r'<nav class="app-section-navigation"[^>]*>(.*?)</nav>', re.S)

pytestmark = pytest.mark.django_db


def links(pattern, html):
    block = pattern.search(html)
    return re.findall(r'href="([^"]+)"', block.group(1)) if block else []


def test_every_item_names_a_declared_section_or_none():
    assert all(item.section in SECTIONS or item.section == "" for item in all_items())


@pytest.mark.parametrize("role", ["council_officer", "school_staff", "support_agent", "cio", "london_lead", "admin"])
def test_each_role_has_one_row_and_reaches_every_page_of_its_own(client, users, role):
    user = users[role]
    client.force_login(user)
    header = links(HEADER, client.get(reverse("home")).content.decode())
    assert 1 <= len(header) <= 10, header  # one row of the header at 1280 px
    reachable = set(header)
    for url in header:  # each section's first page lists the section's pages
        reachable.update(links(SECTION, client.get(url).content.decode()))
    for _item, url in _visible(user):
        assert url in reachable, (role, url)


def test_a_role_with_few_pages_keeps_a_flat_header(users):
    header, section = menus_for(users["london_lead"], "/")
    assert len(header) <= FLAT_MAX and section == []
    assert {entry["section"] for entry in header} == {False}


def test_the_section_and_the_page_are_marked_current(client, users):
    client.force_login(users["support_agent"])
    page = client.get(reverse("support:my_tickets")).content.decode()
    header = HEADER.search(page).group(1)
    assert re.search(r'href="%s" aria-current="true"' % reverse("support:queue"), header)  # the Support section
    pages = SECTION.search(page).group(1)
    assert re.search(r'href="%s" aria-current="page"' % reverse("support:my_tickets"), pages)
    # The longest matching link is the current page: not also "Queue" (/support/ is a prefix).
    assert not re.search(r'href="%s" aria-current' % reverse("support:queue"), pages)


def test_a_page_outside_every_section_shows_no_section_pages(client, users):
    client.force_login(users["council_officer"])
    page = client.get(reverse("home")).content.decode()
    assert SECTION.search(page) is None
