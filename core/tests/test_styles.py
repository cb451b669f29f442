"""The GOV.UK Frontend styles we serve: Arial, and assets from our own static files."""

from pathlib import Path

import pytest
from django.conf import settings

BUILT = Path(settings.BASE_DIR) / "static" / "build" / "govuk.css"


@pytest.mark.skipif(not BUILT.exists(), reason="styles not built: run scripts/setup.sh")
def test_built_styles_use_arial_and_relative_asset_urls():
    css = BUILT.read_text()
    assert "GDS Transport" not in css  # licensed only for gov.uk domains
    assert "@font-face" not in css
    assert "font-family:arial,sans-serif" in css.replace(" ", "")
    assert "url(/assets/" not in css and 'url("/assets/' not in css


def test_pages_link_the_built_styles(client, db):
    body = client.get("/sign-in/").content.decode()
    assert "build/govuk.css" in body and "govuk-frontend.min.css" not in body
