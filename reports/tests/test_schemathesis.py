"""Property-based contract test of the API (schemathesis): for generated requests to every
operation in /api/schema/, no server error and every response conforms to the schema.

Runs in-process against the WSGI app with a signed-in admin session for reads and real tokens
for the two write endpoints; a few examples per operation keep it well under a minute.
"""

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis import checks

from allocations.tests.factories import AllocationFactory
from devices.tests.factories import NetworkOperatorFactory, SimFactory
from reports.services import create_api_token

CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance, checks.response_schema_conformance]


@pytest.fixture
def api_schema(db):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from tracker.wsgi import application

    # As Django's test client does: keep the test's connection (and transaction) across requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # The examples and fuzzing phases only: the coverage phase's exhaustive edge cases take
    # minutes on this machine; test_api.py covers the bad-input cases we care about by name.
    config = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}}})
    yield schemathesis.openapi.from_wsgi("/api/schema/", application, config=config)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def credentials(users, la, school):
    from support.tests.factories import TicketFactory

    allocation = AllocationFactory(child__school=school)
    ee = NetworkOperatorFactory(name="EE", slug="ee")
    SimFactory(local_authority=la, network=ee, device=allocation.device)
    TicketFactory(school=school, language="pl")
    _t, supplier = create_api_token(name="s", kind="supplier", supplier_name="Computacenter", by=users["admin"])
    _t, operator = create_api_token(name="o", kind="operator", network_operator=ee, by=users["admin"])
    client = Client()
    client.force_login(users["admin"])
    session = client.cookies["sessionid"].value
    return {
        "/api/deliveries/": {"Authorization": f"Bearer {supplier}"},
        "/api/usage-readings/": {"Authorization": f"Bearer {operator}"},
        "session": {"Cookie": f"sessionid={session}"},
    }


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis_settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema(case, credentials, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "100000/min", "api_write": "100000/min"}}
    headers = dict(credentials.get(case.path) or credentials["session"])
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS)
