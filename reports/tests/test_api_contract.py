"""Issue 15 #11: the API's schema says what the API does, and bad parameters are 400s."""
import pytest
import yaml
from django.urls import reverse


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_every_security_scheme_referenced_is_defined(schema):
    defined = set(schema["components"]["securitySchemes"])
    used = {name for path in schema["paths"].values() for op in path.values() if isinstance(op, dict) for req in op.get("security", []) for name in req}
    assert "tokenAuth" in used and used <= defined
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {"type": "http", "scheme": "bearer", "description": "A supplier or network operator API token."}


@pytest.mark.parametrize("path", ["/api/deliveries/", "/api/usage-readings/"])
def test_write_endpoints_take_json_only(schema, path):
    assert list(schema["paths"][path]["post"]["requestBody"]["content"]) == ["application/json"]


def test_write_endpoints_refuse_form_bodies(client, users, la):
    from reports.services import create_api_token

    _t, token = create_api_token(name="s", kind="supplier", supplier_name="Computacenter", by=users["admin"])
    response = client.post("/api/deliveries/", {"local_authority": la.code, "rows": "x"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 415


@pytest.mark.parametrize(
    "url",
    [
        "/api/devices/?page_size=null",
        "/api/devices/?page_size=0",
        "/api/devices/?page_size=-3",
        "/api/devices/?page_size=",
        "/api/devices/?page_size=201",
        "/api/tickets/?page_size=1.5",
        "/api/allocations/?handed_over_from=",
        "/api/allocations/?handed_over_to=",
        "/api/allocations/?handed_over_from=2024-13-01",
        "/api/tickets/?language=xx",
        "/api/tickets/?language=",
        "/api/messages/?language=klingon",
    ],
)
def test_bad_parameters_are_400(client, users, url):
    client.force_login(users["admin"])
    response = client.get(url)
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("url", ["/api/devices/?page_size=200", "/api/devices/?page_size=1", "/api/devices/", "/api/tickets/?language=pl", "/api/allocations/?handed_over_from=2024-01-01"])
def test_good_parameters_are_200(client, users, url):
    client.force_login(users["admin"])
    assert client.get(url).status_code == 200
