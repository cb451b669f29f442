"""Every allocations URL as every role, with rows in and out of scope: never a 500, never
another LA's or school's row."""

import pytest
from django.urls import reverse
from django.utils import timezone

from allocations import services
from allocations.tests.factories import ChildFactory
from allocations.urls import urlpatterns
from devices.models import DeviceStatus
from devices.tests.factories import DeviceFactory

ROLES = ["council_officer", "school_staff", "support_agent", "support_agent_all", "cio", "london_lead", "admin"]


def make(school, by, ref, serial):
    child = ChildFactory(school=school, reference=ref, first_name=f"Name{ref}")
    device = DeviceFactory(local_authority=school.local_authority, status=DeviceStatus.IN_STOCK, serial=serial)
    allocation = services.allocate(child=child, device=device, by=by)
    services.hand_over(allocation=allocation, on=timezone.localdate(), handed_over_by="x", received_by="y", by=by)
    return child, allocation


@pytest.mark.parametrize("role", ROLES)
def test_walk_every_route(client, users, school, other_school, role):
    admin = users["admin"]
    inside = make(school, admin, "INSIDE1", "SERIALIN1")
    outside = make(other_school, admin, "OUTSIDE1", "SERIALOUT1")
    user = users[role]
    client.force_login(user)
    sees_everything = role in ("admin", "support_agent_all")
    for pattern in urlpatterns:
        name = f"allocations:{pattern.name}"
        if "<int:pk>" not in str(pattern.pattern):
            response = client.get(reverse(name))
            assert response.status_code in (200, 403), (name, response.status_code)
            if response.status_code == 200 and not sees_everything:
                assert "OUTSIDE1" not in response.content.decode(), name
            continue
        is_child_route = pattern.name.startswith("child_")
        inside_obj, outside_obj = (inside[0], outside[0]) if is_child_route else (inside[1], outside[1])
        response = client.get(reverse(name, args=[inside_obj.pk]))
        assert response.status_code in (200, 403, 404), (name, response.status_code)
        response = client.get(reverse(name, args=[outside_obj.pk]))
        if sees_everything:
            assert response.status_code in (200, 403, 404), (name, response.status_code)
        else:
            assert response.status_code in (403, 404), (name, role, response.status_code)
