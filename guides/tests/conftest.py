import pytest


@pytest.fixture(autouse=True)
def _shipped_guides(request):
    """The shipped guides (migration 0002), reloaded if a transactional test flushed them."""
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
    from guides.models import Guide
    from guides.services import load_content

    if not Guide.objects.exists():
        load_content()
