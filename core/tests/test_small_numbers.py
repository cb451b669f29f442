"""The London lead sees no count from 1 to 4 in any per-LA figure, on any page they can reach.

Walks every route as the London lead (``core/tests/access.py``'s routes and plans, on the demo
world), then every link and LA choice those pages offer on the site, and checks each figure
cell of each page (numeric table cells and registered figures, ``data-figure``) and each
row of a CSV download: a figure is ``[c]``, 0 or 5 and over, never 1 to 4
(``reports.suppression.hides_small_numbers``: everyone outside a council sees its figures
suppressed by the same rule). The same pages seen by the LA's own CIO do show small figures,
so the check is not vacuous.
"""

import csv
import io
import re
from urllib.parse import urlsplit

from django.test import Client

from accounts.models import User
from core.tests.access import Report, body_text, plan, routes, skip_reason
from core.tests.conftest import ROLE_USERS

FIGURE_CELL = re.compile(
    r'<(?:td|dd)[^>]*(?:govuk-table__cell--numeric|data-figure="[a-z0-9_]+")[^>]*>\s*(?:<strong>)?\s*£?([^<]*?)\s*(?:</strong>)?\s*</(?:td|dd)>'
)
HREF = re.compile(r'href="(/[^"#]*)"')
LA_OPTION = re.compile(r'<select[^>]*name="la"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="([^"]+)"')
NOT_PAGES = ("/static/", "/logout", "/accounts/logout", "/i18n/", "/admin/", "/api/schema", "/media/")


def small_cells(text, content_type):
    if "csv" in content_type:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        return [cell for row in rows[1:] for cell in row[2:] if cell.strip().isdigit() and 1 <= int(cell) <= 4]
    return [v for v in FIGURE_CELL.findall(text) if v.replace(",", "").isdigit() and 1 <= int(v.replace(",", "")) <= 4]


def crawl(user, world):
    """``{url: small figures found}`` for every page ``user`` reaches (200) on the site."""
    client = Client()
    client.force_login(user)
    report = Report()
    queue = []
    for route in routes():
        if not skip_reason(route):
            queue += [req.url for req in plan(route, user, world, report)]
    seen, found = set(), {}
    while queue and len(seen) < 400:
        url = queue.pop(0)
        if url in seen or url.startswith(NOT_PAGES) or "_export" in url and "per_page" in url:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200:
            continue
        text = body_text(response)
        if text is None:
            continue
        content_type = response.get("Content-Type", "")
        found[url] = small_cells(text, content_type)
        if "html" not in content_type:
            continue
        path = urlsplit(url).path
        for href in HREF.findall(text):
            href = href.replace("&amp;", "&")
            if href not in seen and not href.startswith(NOT_PAGES):
                queue.append(href)
        for select in LA_OPTION.findall(text):
            queue += [f"{path}?la={value}" for value in OPTION.findall(select)]
    return found


def test_the_london_lead_sees_no_count_under_five_on_any_page(world, db):
    lead = User.objects.get(username=ROLE_USERS["london_lead"])
    found = crawl(lead, world)
    visited = set(found)
    for must in ("/reports/london/", "/reports/london.csv", "/horizon/", "/usage/evidence/"):
        assert any(urlsplit(u).path == must for u in visited), must
    assert any("la=" in u for u in visited), "each LA's pages are visited"
    small = {url: cells for url, cells in found.items() if cells}
    assert not small, f"counts from 1 to 4 shown to the London lead: {small}"


def test_the_councils_own_cio_sees_its_small_figures(world, db):
    cio = User.objects.get(username=ROLE_USERS["cio"])
    client = Client()
    client.force_login(cio)
    shown = []
    for url in ("/horizon/", "/usage/evidence/", "/reports/"):
        response = client.get(url)
        shown += small_cells(response.content.decode(), response["Content-Type"])
    assert shown, "a council's own pages show its figures in full"
