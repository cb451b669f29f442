"""Every route, as every role and anonymously, with rows inside and outside the user's scope.

No 500 anywhere; no 200 that shows a row outside the user's scope. Routes added by any app are
walked automatically (see ``core/tests/access.py`` for how URLs are filled and checked).
"""

import pytest
from django.test import override_settings

from accounts.models import School, User
from core.tests.access import PLACEHOLDERS_EXPECTED, SKIPPED, TokenCaller, routes, skip_reason, walk
from core.tests.conftest import ROLE_USERS


def user_for(role):
    return None if role == "anonymous" else User.objects.get(username=ROLE_USERS[role])


def failure_message(report):
    lines = [f"{len(report.failures)} access failure(s) in {report.requests} requests:"] + report.failures
    return "\n".join(lines)


@pytest.mark.parametrize("role", ["anonymous", *ROLE_USERS])
def test_every_route_as_every_role(world, db, role):
    report = walk(world, user_for(role))
    assert report.requests > 0
    assert not report.failures, failure_message(report)


def test_every_route_as_an_operator_token(world, db):
    """An operator token (``reports.ApiToken`` kind "operator") sees its network's rows only."""
    from connectivity.models import NetworkOperator
    from reports.services import create_api_token

    ee = NetworkOperator.objects.get(slug="ee")
    _token, raw = create_api_token(name="EE queue", kind="operator", network_operator=ee, by=User.objects.get(username="admin"))
    caller = TokenCaller(raw=raw, network_operator_id=ee.pk)
    inside, outside = world.split(caller, "connectivity.networkrequest")
    assert inside and outside, "the world has EE requests and other networks' requests"
    report = walk(world, caller, only=lambda r: r.route.startswith("api/"))
    assert report.requests > 0
    assert not report.failures, failure_message(report)


def test_a_network_user_is_walked_with_rows_of_other_networks(world, db):
    network_user = user_for("network")
    inside, outside = world.split(network_user, "connectivity.networkrequest")
    assert inside and outside
    assert any(world.scopes["connectivity.networkrequest"][pk].networks - {network_user.network_operator_id} for pk in world.out_of_scope_samples(network_user, "connectivity.networkrequest"))
    # Every other model shows a network user nothing.
    assert not world.split(network_user, "devices.device")[0]


def test_every_route_is_walked_or_explicitly_skipped(world, db):
    """A route whose URL kwargs cannot be filled must use ``pk`` on a view with a ``model``
    (or be listed, with its reason, in ``PLACEHOLDERS_EXPECTED``)."""
    report = walk(world, user_for("admin"))
    unexpected = {name: kwargs for name, kwargs in report.placeholders.items() if name not in PLACEHOLDERS_EXPECTED}
    assert not unexpected, (
        "These routes have URL kwargs the access walker cannot fill: name the row kwarg `pk` on a view "
        f"with a `model` attribute, or a field of that model: {unexpected}"
    )
    assert len(SKIPPED) + len(PLACEHOLDERS_EXPECTED) <= 6, "keep the skip list small"
    skipped_outside_admin = sorted(name for name in report.skipped if not name.startswith("admin"))
    print(
        f"\nwalked {report.requests} requests as admin; skipped {len(report.skipped)} routes "
        f"({skipped_outside_admin} and the Django admin); placeholders: {report.placeholders}; "
        f"no rows to put in the URL: {sorted(report.unexercised)}"
    )


def test_object_routes_are_tried_in_and_out_of_scope(world, db):
    report = walk(world, user_for("council_officer"), only=lambda r: r.name.startswith("accounts:"))
    assert {"accounts:school_detail", "accounts:la_detail"} <= report.kinds["in-scope"]
    assert {"accounts:school_detail", "accounts:la_detail"} <= report.kinds["out-of-scope"]
    assert {"accounts:school_list", "accounts:la_list"} <= report.kinds["export"]
    assert not report.failures, failure_message(report)


def test_walker_sees_the_project_routes(world, db):
    names = {r.name for r in routes()}
    assert {"home", "healthz", "login", "accounts:school_list", "accounts:school_detail", "accounts:la_detail"} <= names
    assert any(skip_reason(r) for r in routes() if r.name.startswith("admin:"))


def test_world_has_rows_in_and_out_of_every_scope(world, db):
    officer = user_for("council_officer")
    inside, outside = world.split(officer, "accounts.school")
    assert inside and outside
    school_user = user_for("school_staff")
    samples = world.out_of_scope_samples(school_user, "accounts.school")
    las = [world.scopes["accounts.school"][pk].las for pk in samples]
    assert {school_user.local_authority_id} in las, "a same-LA other school is tried for school staff"
    assert any(school_user.local_authority_id not in s for s in las), "and another LA's school"


def test_admin_is_staff_only(world, db, client):
    for role in ROLE_USERS:
        user = user_for(role)
        client.force_login(user)
        response = client.get("/admin/")
        if user.is_staff:
            assert response.status_code == 200
        else:
            assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.logout()
    assert client.get("/admin/accounts/school/").status_code == 302


@override_settings(ROOT_URLCONF="core.tests.leaky_urls")
def test_walker_catches_a_view_that_forgets_its_scope(world, db):
    officer = user_for("council_officer")
    report = walk(world, officer, only=lambda r: r.name.startswith("leaky"))
    hackney_school = School.objects.filter(local_authority__code="204").order_by("pk").first()
    text = "\n".join(report.failures)
    assert "leaky_school_detail, out-of-scope]: 200 showing out-of-scope accounts.school" in text
    assert "leaky_school_list, list]: shows out-of-scope accounts.school" in text
    assert f"link {hackney_school.get_absolute_url()}" in text
    assert "leaky_school_list, export]: shows out-of-scope accounts.school" in text
    assert "leaky_crash, page]: raised ZeroDivisionError" in text
    # The same pages with their scope are clean.
    scoped = walk(world, officer, only=lambda r: r.name.startswith("leaky_scoped"))
    assert scoped.requests >= 3 and not scoped.failures, failure_message(scoped)
