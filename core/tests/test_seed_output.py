"""`manage.py seed_demo` prints what it made, never a raw MIME email (issue 15, finding 12):
with the default drivers the demo's messages to families go to the outbox, even when Django's
mail backend is the console one a laptop run uses."""

import io

from django.core.management import call_command

from messaging.models import OutboundMessage


def test_seed_demo_prints_no_mime(db, settings, capsys, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.MESSAGING_DRIVERS = {"sms": "outbox", "email": "outbox", "letter": "outbox"}  # the defaults
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # the deliveries run, as after a commit
        call_command("seed_demo", stdout=out)
    printed = out.getvalue() + "".join(capsys.readouterr())
    assert "Demo data ready." in printed
    for trace in ("MIME-Version", "Content-Type:", "Content-Transfer-Encoding", "Subject:"):
        assert trace not in printed
    assert OutboundMessage.objects.filter(channel="email").exists()  # the demo does write emails
