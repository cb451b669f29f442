"""Fault: the disk is full when an upload is stored (ENOSPC from the file storage).

An import upload, a family's help request with a photo, a family reply with a photo and a
staff reply with a photo: each gets a clear message, leaves no row behind, and works when
tried again after space is freed.
"""

import errno

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.imports.testing import xlsx_bytes
from core.models import ImportJob
from support.models import Attachment, Message, Ticket
from support.tests.factories import DEFAULT_TOKEN, TicketFactory

from support.tests.files import PNG  # noqa: E402  (a structurally valid PNG)
MANIFEST = xlsx_bytes([["Kind", "Make", "Serial", "Delivery date"], ["laptop", "Dell", "FULL-1", "01/02/2021"]])
STORAGE_MESSAGE = "nothing was saved"


class Disk:
    """Stands in for the disk: full until ``free()`` is called."""

    def __init__(self, monkeypatch):
        self.full = True
        self.attempts = 0
        original = FileSystemStorage._save

        def _save(storage, name, content):
            self.attempts += 1
            if self.full:
                raise OSError(errno.ENOSPC, "No space left on device")
            return original(storage, name, content)

        monkeypatch.setattr(FileSystemStorage, "_save", _save)

    def free(self):
        self.full = False


@pytest.fixture
def disk(monkeypatch):
    return Disk(monkeypatch)


def _page(response):
    return response.content.decode()


def test_import_upload_on_full_disk(officer_client, disk):
    url = reverse("core:import_upload") + "?kind=delivery"
    response = officer_client.post(url, {"file": SimpleUploadedFile("m.xlsx", MANIFEST)})
    assert response.status_code == 200 and disk.attempts == 1
    assert STORAGE_MESSAGE in _page(response) and "govuk-error-summary" in _page(response)
    assert ImportJob.objects.count() == 0

    disk.free()
    response = officer_client.post(url, {"file": SimpleUploadedFile("m.xlsx", MANIFEST)})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.file.size == len(MANIFEST) and job.status == ImportJob.Status.UPLOADED


def test_help_request_with_photo_on_full_disk(client, db, disk):
    url = reverse("support:help_form", args=["en"])
    data = {"name": "A Parent", "email": "parent@example.org", "category": "hardware", "description": "The screen is cracked."}
    response = client.post(url, {**data, "attachment": SimpleUploadedFile("crack.png", PNG)})
    assert response.status_code == 200 and disk.attempts == 1
    assert STORAGE_MESSAGE in _page(response)
    assert Ticket.objects.count() == 0 and Attachment.objects.count() == 0

    disk.free()
    response = client.post(url, {**data, "attachment": SimpleUploadedFile("crack.png", PNG)})
    assert response.status_code == 302
    assert Ticket.objects.count() == 1 and Attachment.objects.count() == 1


def test_family_reply_with_photo_on_full_disk(client, db, disk):
    ticket = TicketFactory()
    url = reverse("support:family_ticket", args=[ticket.reference, DEFAULT_TOKEN])
    response = client.post(url, {"body": "Here is a photo.", "attachment": SimpleUploadedFile("p.png", PNG)})
    assert response.status_code == 200 and STORAGE_MESSAGE in _page(response)
    assert Message.objects.count() == 0 and Attachment.objects.count() == 0

    disk.free()
    response = client.post(url, {"body": "Here is a photo.", "attachment": SimpleUploadedFile("p.png", PNG)})
    assert response.status_code == 302
    assert Message.objects.count() == 1 and Attachment.objects.count() == 1


def test_staff_reply_with_photo_on_full_disk(client, users, school, disk):
    ticket = TicketFactory(school=school)
    agent = users["support_agent"]
    client.force_login(agent)
    url = reverse("support:ticket_reply", args=[ticket.pk])
    data = {"body": "Thanks, we are sending a new one.", "kind": Message.Kind.PUBLIC, "language": "en"}
    response = client.post(url, {**data, "attachment": SimpleUploadedFile("label.png", PNG)}, follow=True)
    assert response.status_code == 200 and STORAGE_MESSAGE in _page(response)
    assert Message.objects.count() == 0 and Attachment.objects.count() == 0

    disk.free()
    client.post(url, {**data, "attachment": SimpleUploadedFile("label.png", PNG)})
    assert Message.objects.count() == 1 and Attachment.objects.count() == 1
