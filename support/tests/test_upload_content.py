"""Issue 15 #8: attachments are what their whole content says, and are served as such."""
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from support import services
from support.models import Attachment, Ticket
from support.tests.factories import TicketFactory
from support.tests.files import JPEG, PDF, PNG, WEBP

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><script>alert(1)</script></svg>'


@pytest.mark.parametrize("data, expected", [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp"), (PDF, "application/pdf")])
def test_real_files_are_accepted(data, expected):
    assert services.check_upload(SimpleUploadedFile("x", data)) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + SVG,  # a PNG-headed SVG
        PNG[:-12] + SVG,  # a PNG whose chain never reaches IEND
        b"\xff\xd8\xff\xe0" + SVG,  # a JPEG-headed SVG
        b"RIFF\x10\x00\x00\x00WEBP" + SVG,  # a WebP-headed SVG
    ],
)
def test_disguised_images_are_refused(data):
    with pytest.raises(ValidationError) as caught:
        services.check_upload(SimpleUploadedFile("evil.svg", data))
    assert caught.value.code == "bad_type"


@pytest.mark.parametrize(
    "body",
    [
        b"1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj",
        b"1 0 obj<</Type/Catalog/OpenAction<</S/J#61vaScript/J#53(app.alert(1))>>>>endobj",  # name escapes
        b"1 0 obj<</Type/Annot/AA<</O 3 0 R>>>>endobj",
        b"1 0 obj<</S/Launch/F(cmd.exe)>>endobj",
        b"1 0 obj<</Names<</EmbeddedFiles 4 0 R>>>>endobj",
        b"1 0 obj<</Type/EmbeddedFile>>endobj",
        b"1 0 obj<</Subtype/RichMedia>>endobj",
        b"1 0 obj<</AcroForm<</XFA 5 0 R>>>>endobj",
        b"1 0 obj<</Filter/FlateDecode>>stream\n" + zlib.compress(b"<</S/JavaScript/JS(app.alert(1))>>") + b"\nendstream\nendobj",
    ],
)
def test_active_pdfs_are_refused(body):
    data = b"%PDF-1.7\n" + body + b"\ntrailer<<>>\n%%EOF\n"
    with pytest.raises(ValidationError) as caught:
        services.check_upload(SimpleUploadedFile("form.pdf", data))
    assert caught.value.code == "active_pdf"
    assert "This PDF contains active content" in caught.value.messages[0]


def test_a_plain_open_action_is_not_active():
    data = b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction[3 0 R /Fit]>>endobj\n%%EOF\n"
    assert services.check_upload(SimpleUploadedFile("a.pdf", data)) == "application/pdf"


def test_help_form_shows_the_active_pdf_refusal(client, db):
    url = reverse("support:help_form", args=["en"])
    base = {"name": "A", "email": "a@example.org", "category": "damage", "description": "Cracked"}
    pdf = b"%PDF-1.7\n1 0 obj<</OpenAction<</S/JavaScript/JS(x)>>>>endobj\n%%EOF\n"
    response = client.post(url, {**base, "attachment": SimpleUploadedFile("a.pdf", pdf)})
    assert response.status_code == 200 and Ticket.objects.count() == 0
    assert "This PDF contains active content" in response.content.decode()


@pytest.mark.parametrize(
    "name, data, served",
    [("evil.svg", PNG, "evil.png"), ("scan.html", PDF, "scan.pdf"), ("photo", JPEG, "photo.jpg"), (".htaccess", WEBP, ".htaccess.webp")],
)
def test_download_uses_the_detected_extension(client, users, school, name, data, served):
    ticket = TicketFactory(school=school)
    services.add_message(ticket=ticket, body="File", by=None, uploads=[SimpleUploadedFile(name, data)])
    attachment = Attachment.objects.get()
    client.force_login(users["support_agent"])
    response = client.get(reverse("support:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and f'filename="{served}"' in disposition
    assert not disposition.rstrip('"').endswith(".svg")
