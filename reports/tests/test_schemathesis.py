"""Property-based contract test of the API (schemathesis): for generated requests to every
operation in /api/schema/, with every response check on, as every kind of API user (each
staff role with a session, each kind of API token), no server error and every response
conforms to the schema.

Runs in-process against the WSGI app; a few examples per operation keep it to a few minutes.
"""

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis import checks

from allocations.tests.factories import AllocationFactory
from connectivity.tests.factories import NetworkOperatorFactory, SimFactory
from reports.services import create_api_token

# Every response check schemathesis has (the stateful-only ones are no-ops here).
CHECKS = [
    checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
    checks.response_schema_conformance, checks.response_headers_conformance, checks.negative_data_rejection,
    checks.positive_data_acceptance, checks.missing_required_header, checks.unsupported_method,
    checks.ignored_auth, checks.allow_header_conformance, checks.use_after_free, checks.ensure_resource_availability,
]
SESSION_KINDS = ["admin", "council_officer", "cio", "school_staff", "support_agent", "support_agent_all", "safeguarding_lead", "london_lead", "network"]
TOKEN_KINDS = ["supplier", "operator"]

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
    # The two write endpoints take rows that must name real things (an LA code, serials not
    # yet delivered, ICCIDs on the token's network): a body that merely fits the schema is
    # rightly a 400 there, so positive-data acceptance allows 400 for those two only.
    write_bodies = {"checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]}}}
    config = schemathesis.Config.from_dict({
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "operations": [{"include-path": path, **write_bodies} for path in ("/api/deliveries/", "/api/usage-readings/", "/api/network-requests/statuses/")],
    })
    yield schemathesis.openapi.from_wsgi("/api/schema/", application, config=config)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def credentials(users, la, school):
    """Headers for each kind of API user: a session per staff role, a token per token kind."""
    from accounts.tests.factories import UserFactory
    from support.tests.factories import TicketFactory

    allocation = AllocationFactory(child__school=school)
    ee = NetworkOperatorFactory(name="EE", slug="ee")
    SimFactory(local_authority=la, network=ee, device=allocation.device)
    TicketFactory(school=school, language="pl")
    TicketFactory(school=school, category="safeguarding", is_safeguarding=True)
    people = {**users, "safeguarding_lead": UserFactory(role="support_agent", local_authority=la, is_safeguarding_lead=True)}
    # --- network side: EE's user, and a request in EE's queue for the network endpoints
    people["network"] = UserFactory(role="network", network_operator=ee)
    from connectivity.services import raise_request

    raise_request(kind="swap", sim=SimFactory(local_authority=la, network=ee), by=users["council_officer"])
    headers = {}
    for kind in SESSION_KINDS:
        client = Client()
        client.force_login(people[kind])
        headers[kind] = {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    _t, supplier = create_api_token(name="s", kind="supplier", supplier_name="Computacenter", by=users["admin"])
    _t, operator = create_api_token(name="o", kind="operator", network_operator=ee, by=users["admin"])
    headers["supplier"] = {"Authorization": f"Bearer {supplier}"}
    headers["operator"] = {"Authorization": f"Bearer {operator}"}
    return headers


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis_settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema(case, credentials, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "100000/min", "api_write": "100000/min"}}
    for kind, headers in credentials.items():  # the same generated request, as every kind of user
        try:
            response = case.call(headers=dict(headers))
            case.validate_response(response, checks=CHECKS, headers=dict(headers))
        except Exception as exc:
            exc.add_note(f"as {kind}")
            raise
