"""``visible_to(user)`` on organisations and users, per role."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import LocalAuthority, School, User
from accounts.tests.factories import SchoolFactory, UserFactory


@pytest.fixture
def world(users, la, other_la, school, other_school):
    """Two LAs, two schools in ``la`` (one the school user's), one in ``other_la``."""
    return {
        "same_la_school": SchoolFactory(local_authority=la),
        "other_officer": UserFactory(role="council_officer", local_authority=other_la),
    }


def ids(qs):
    return set(qs.values_list("pk", flat=True))


@pytest.mark.parametrize("role", ["council_officer", "cio", "support_agent"])
def test_la_roles_see_their_la_only(users, la, other_la, school, other_school, world, role):
    user = users[role]
    assert ids(LocalAuthority.objects.visible_to(user)) == {la.pk}
    assert ids(School.objects.visible_to(user)) == {school.pk, world["same_la_school"].pk}
    visible_users = User.objects.visible_to(user)
    assert user in visible_users and world["other_officer"] not in visible_users
    assert not visible_users.filter(local_authority=other_la).exists()


def test_school_staff_see_their_school_only(users, la, school, world):
    user = users["school_staff"]
    assert ids(School.objects.visible_to(user)) == {school.pk}
    assert ids(LocalAuthority.objects.visible_to(user)) == {la.pk}  # their school's LA
    assert set(User.objects.visible_to(user).values_list("school", flat=True)) == {school.pk}


@pytest.mark.parametrize("role", ["admin", "support_agent_all"])
def test_admin_and_london_wide_agent_see_everything(users, world, role):
    user = users[role]
    assert School.objects.visible_to(user).count() == School.objects.count() == 3
    assert LocalAuthority.objects.visible_to(user).count() == 2
    assert User.objects.visible_to(user).count() == User.objects.count()


def test_london_lead_sees_las_for_aggregates_but_no_rows(users, world):
    user = users["london_lead"]
    assert LocalAuthority.objects.visible_to(user).count() == 2
    assert not School.objects.visible_to(user).exists()
    assert not User.objects.visible_to(user).exists()


def test_anonymous_and_inactive_users_see_nothing(users, world):
    inactive = users["council_officer"]
    inactive.is_active = False
    inactive.save()
    for user in (AnonymousUser(), None, inactive):
        assert not School.objects.visible_to(user).exists()
        assert not LocalAuthority.objects.visible_to(user).exists()
        assert not User.objects.visible_to(user).exists()


def test_scoping_through_a_reverse_relation_does_not_repeat_rows(users, la, world):
    # LocalAuthority's school path runs LA -> schools (many): rows must not repeat.
    SchoolFactory.create_batch(3, local_authority=la)
    assert LocalAuthority.objects.visible_to(users["school_staff"]).count() == 1


def test_school_users_la_follows_their_school(la, school):
    user = UserFactory(role="school_staff", school=school, local_authority=None)
    user.refresh_from_db()
    assert user.local_authority == la
