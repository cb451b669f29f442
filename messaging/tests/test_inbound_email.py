"""Inbound email: replies thread into their ticket, new mail opens one, automatic mail and
bounces open nothing, bad input gets a clear outcome, and nothing is stored twice or lost.

Mail is read through the real clients: imaplib against a local IMAP server
(``messaging/tests/imap_server.py``) and a Maildir in a temporary folder."""

import io
import os
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from messaging import tasks
from messaging.inbound_email import poll_mailbox, receive_email, trim_quoted
from messaging.models import InboundMessage, InboundOutcome, OutboundMessage, Status
from messaging.tests.imap_server import ImapTestServer
from messaging.threading import reply_address, subject_tag, thread_token
from support import family_messages
from support.models import Attachment, Source, Ticket
from support.models import Status as TicketStatus
from support.tests.factories import TicketFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
from support.tests.files import PNG  # noqa: E402  (a structurally valid PNG)
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def email(*, sender="parent@example.org", to="support@devices.example", subject="About my laptop", body="Hello",
          html=None, headers=None, attachments=(), message_id=True):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    if message_id:
        message["Message-ID"] = make_msgid(domain="example.org")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for filename, content, maintype, subtype in attachments:
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


@pytest.fixture
def family_ticket(db):
    """A family's open ticket with the confirmation email we sent them (its Message-ID and Reply-To)."""
    ticket = TicketFactory(requester_email="amina@example.org", requester_name="Amina")
    sent = family_messages.tell_family(ticket, "created")
    assert sent.email_message_id and sent.reply_to == reply_address(ticket)
    return ticket, sent


def family_messages_on(ticket):
    return list(ticket.messages.filter(from_requester=True).order_by("pk"))


# Replies thread into their ticket ---------------------------------------------------------------


def test_a_reply_to_the_plus_address_threads_with_quote_and_signature_trimmed(family_ticket):
    ticket, sent = family_ticket
    body = (
        "The charger works now, thank you.\n\n"
        "-- \nAmina Yusuf\n07700 900123\n\n"
        "On Tue, 1 Dec 2026 at 10:02, Devices for Children <support@devices.example> wrote:\n> We have your request.\n"
    )
    inbound = receive_email(email(sender="Amina <amina@example.org>", to=reply_address(ticket), subject="Re: Your request",
                                  body=body))
    assert inbound.outcome == InboundOutcome.THREADED
    assert inbound.ticket == ticket and "reply address" in inbound.detail
    (message,) = family_messages_on(ticket)
    assert message.body == "The charger works now, thank you."
    assert inbound.ticket_message == message and message.channel == "email"


def test_a_reply_with_only_in_reply_to_threads(family_ticket):
    ticket, sent = family_ticket
    # From another address of the family, to the plain support address, subject rewritten.
    inbound = receive_email(email(sender="dad@example.net", subject="laptop", body="It is fixed.",
                                  headers={"In-Reply-To": sent.email_message_id, "References": sent.email_message_id}))
    assert (inbound.outcome, inbound.ticket) == (InboundOutcome.THREADED, ticket)
    assert "In-Reply-To" in inbound.detail
    assert family_messages_on(ticket)[0].body == "It is fixed."


def test_a_reply_with_only_the_subject_tag_threads(family_ticket):
    ticket, _sent = family_ticket
    inbound = receive_email(email(sender="other@example.net", subject=f"Re: Your request {subject_tag(ticket)}",
                                  body="Still broken."))
    assert (inbound.outcome, inbound.ticket) == (InboundOutcome.THREADED, ticket)
    assert "subject tag" in inbound.detail


def test_a_reply_reopens_a_resolved_ticket(family_ticket):
    ticket, _sent = family_ticket
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.RESOLVED)
    receive_email(email(to=reply_address(ticket), body="It broke again."))
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN


def test_replies_from_two_families_each_land_in_their_own_ticket(db):
    first = TicketFactory(requester_email="one@example.org")
    second = TicketFactory(requester_email="two@example.org")
    a = receive_email(email(sender="two@example.org", to=reply_address(second), body="Reply from the second family."))
    b = receive_email(email(sender="one@example.org", subject=f"Re: x {subject_tag(first)}", body="Reply from the first."))
    assert (a.ticket, b.ticket) == (second, first)
    assert [m.body for m in family_messages_on(second)] == ["Reply from the second family."]
    assert [m.body for m in family_messages_on(first)] == ["Reply from the first."]


def test_a_forged_token_never_threads_into_someone_elses_ticket(db):
    victim = TicketFactory(requester_email="victim@example.org")
    good = thread_token(victim)
    forged = good.split("-")[0] + "-" + ("a" * 12 if not good.endswith("a" * 12) else "b" * 12)
    raw = email(sender="stranger@example.net", to=f"support+{forged}@devices.example",
                subject=f"Re: [#{forged}] reference {victim.reference}", body="Let me into this ticket.")
    inbound = receive_email(raw)
    assert inbound.outcome == InboundOutcome.NEW_TICKET
    assert inbound.ticket != victim and inbound.ticket.requester_email == "stranger@example.net"
    assert "not ours" in inbound.detail
    assert not family_messages_on(victim)
    # A sender with an open ticket of their own gets the forged reply on it, still not the victim's.
    own = inbound.ticket
    again = receive_email(email(sender="stranger@example.net", to=f"support+{forged}@devices.example", body="Again."))
    assert (again.outcome, again.ticket) == (InboundOutcome.THREADED, own)
    assert not family_messages_on(victim)


def test_a_new_email_opens_a_ticket_in_the_detected_language(db):
    raw = email(sender="Jan Kowalski <jan@example.pl>", subject="Laptop",
                body="Dzień dobry, laptop mojego syna nie włącza się od wczoraj. Co mam zrobić?")
    inbound = receive_email(raw)
    assert inbound.outcome == InboundOutcome.NEW_TICKET
    ticket = inbound.ticket
    assert ticket.language == "pl" and ticket.source == Source.FAMILY and ticket.channel == "email"
    assert (ticket.requester_email, ticket.requester_name) == ("jan@example.pl", "Jan Kowalski")
    assert ticket.description.startswith("Laptop\n\nDzień dobry")
    assert inbound.sender == "jan@example.pl"
    # The family's confirmation went out by email, carrying the thread token for their reply.
    confirmation = OutboundMessage.objects.get(ticket=ticket, template="ticket_created")
    assert confirmation.recipient == "jan@example.pl" and confirmation.reply_to == reply_address(ticket)


# Automatic mail opens nothing -------------------------------------------------------------------


@pytest.mark.parametrize("headers, subject, sender", [
    ({"Auto-Submitted": "auto-replied"}, "Re: Your request", "amina@example.org"),
    ({"X-Autoreply": "yes"}, "Re: Your request", "amina@example.org"),
    ({"Precedence": "bulk"}, "Newsletter", "news@example.org"),
    ({}, "Automatic reply: Your request", "amina@example.org"),
    ({}, "Out of Office: back on Monday", "amina@example.org"),
    ({}, "Odpowiedź automatyczna: Twoje zgłoszenie", "amina@example.org"),
    ({"Return-Path": "<>"}, "Re: Your request", "amina@example.org"),
])
def test_out_of_office_and_other_automatic_mail_opens_nothing(family_ticket, headers, subject, sender):
    ticket, _sent = family_ticket
    before = Ticket.objects.count()
    inbound = receive_email(email(sender=sender, to=reply_address(ticket), subject=subject, headers=headers,
                                  body="I am away until Monday."))
    assert inbound.outcome == InboundOutcome.AUTO_REPLY and inbound.detail
    assert inbound.ticket is None and Ticket.objects.count() == before and not family_messages_on(ticket)


def test_our_own_auto_reply_coming_back_is_a_loop_and_opens_nothing(family_ticket, settings):
    ticket, sent = family_ticket
    before = (Ticket.objects.count(), OutboundMessage.objects.count())
    # Our confirmation, delivered to our own mailbox (a family gave our address as theirs).
    ours = email(sender=settings.DEFAULT_FROM_EMAIL, to="support@devices.example", subject=sent.subject, body=sent.body,
                 message_id=False, headers={"Message-ID": sent.email_message_id})
    looped = email(sender="amina@example.org", to=reply_address(ticket), body="Thanks",
                   headers={"X-Loop": "support@devices.example"})
    from_reply_address = email(sender=reply_address(ticket), body="We have your request.")
    for raw in (ours, looped, from_reply_address):
        assert receive_email(raw).outcome == InboundOutcome.AUTO_REPLY
    assert (Ticket.objects.count(), OutboundMessage.objects.count()) == before


def dsn(*, original_message_id, action="failed", status="5.1.1", recipient="amina@example.org"):
    """A delivery status notification (RFC 3464) as Postfix sends it."""
    return f"""From: MAILER-DAEMON@mx.example.org (Mail Delivery System)
To: no-reply@devices.example
Subject: Undelivered Mail Returned to Sender
Message-ID: <{make_msgid()[1:-1]}>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not be delivered.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; {recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 {status} <{recipient}>: Recipient address rejected: User unknown

--BOUNDARY
Content-Type: text/rfc822-headers

From: Devices for Children <no-reply@devices.example>
To: {recipient}
Subject: Your request
Message-ID: {original_message_id}

--BOUNDARY--
""".encode()


def test_a_bounce_opens_nothing_and_marks_our_email_as_not_arrived(family_ticket):
    ticket, sent = family_ticket
    OutboundMessage.objects.filter(pk=sent.pk).update(status=Status.SENT)
    before = Ticket.objects.count()
    inbound = receive_email(dsn(original_message_id=sent.email_message_id))
    assert inbound.outcome == InboundOutcome.BOUNCE and inbound.ticket == ticket
    assert Ticket.objects.count() == before and not family_messages_on(ticket)
    sent.refresh_from_db()
    assert sent.status == Status.PERMANENT_FAILURE and sent.failed_at
    assert "5.1.1" in sent.last_error and "User unknown" in sent.last_error
    assert sent in OutboundMessage.objects.failed()


def test_a_delayed_delivery_report_does_not_mark_the_email_failed(family_ticket):
    _ticket, sent = family_ticket
    OutboundMessage.objects.filter(pk=sent.pk).update(status=Status.SENT)
    inbound = receive_email(dsn(original_message_id=sent.email_message_id, action="delayed", status="4.4.1"))
    assert inbound.outcome == InboundOutcome.BOUNCE and "delayed" in inbound.detail
    sent.refresh_from_db()
    assert sent.status == Status.SENT


def test_a_bounce_naming_none_of_our_emails_is_stored_and_changes_nothing(family_ticket):
    _ticket, sent = family_ticket
    inbound = receive_email(dsn(original_message_id="<someone-else@example.com>"))
    assert inbound.outcome == InboundOutcome.BOUNCE and "none of our emails" in inbound.detail
    sent.refresh_from_db()
    assert sent.status == Status.QUEUED


# Bad input: each gets a clear outcome ------------------------------------------------------------


def test_a_body_over_10000_characters_is_cut_and_says_so(db):
    inbound = receive_email(email(body="The screen flickers. " * 600))
    assert inbound.outcome == InboundOutcome.NEW_TICKET
    assert len(inbound.body) == 10000 and "cut to 10,000" in inbound.detail
    assert len(inbound.ticket.description) <= 10000


def test_an_empty_email_is_refused_with_a_reason(db):
    for raw in (email(body=""), email(body="\n\n   \n"),
                email(body="\n> quoted only\n", subject="Re: x")):
        inbound = receive_email(raw)
        assert inbound.outcome == InboundOutcome.REFUSED and inbound.ticket is None
        assert "no text" in inbound.detail or "no new text" in inbound.detail
    assert Ticket.objects.count() == 0


BROKEN = [
    # multipart without a boundary parameter, a truncated part, no closing delimiter
    b"From: parent@example.org\r\nSubject: broken\r\nMessage-ID: <broken-1@example.org>\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nMy laptop is broken.\r\n--x",
    # a boundary that never appears, garbage base64, an unknown transfer encoding
    b"From: parent@example.org\r\nSubject: =?utf-8?B?broken===?=\r\nMessage-ID: <broken-2@example.org>\r\n"
    b"Content-Type: multipart/alternative; boundary=\"nope\"\r\n\r\nMy laptop is broken.\r\n",
    b"From: parent@example.org\r\nSubject: b64\r\nMessage-ID: <broken-3@example.org>\r\nContent-Type: text/plain\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n!!!not*base64@@@\r\n",
    b"From: parent@example.org\r\nSubject: enc\r\nMessage-ID: <broken-4@example.org>\r\nContent-Type: text/plain\r\n"
    b"Content-Transfer-Encoding: x-made-up\r\n\r\nMy laptop is broken.\r\n",
    # headers only, no blank line; a From that is not an address
    b"From: parent@example.org\r\nSubject: no body\r\nMessage-ID: <broken-5@example.org>",
    b"From: ;;;<<<\r\nSubject: bad from\r\nMessage-ID: <broken-6@example.org>\r\n\r\nMy laptop is broken.\r\n",
    b"\x00\xff\xfe garbage that is not an email at all \x00",
    b"",
]


@pytest.mark.parametrize("raw", BROKEN, ids=[f"broken-{n}" for n in range(1, len(BROKEN) + 1)])
def test_broken_mime_is_stored_with_an_outcome_and_never_raises(db, raw):
    inbound = receive_email(raw)
    assert inbound.pk and inbound.outcome in InboundOutcome.values
    assert "\x00" not in inbound.body
    if inbound.outcome == InboundOutcome.REFUSED:
        assert inbound.detail


@pytest.mark.parametrize("index", [0, 1, 3])
def test_the_text_of_broken_mime_is_found(db, index):
    inbound = receive_email(BROKEN[index])
    assert inbound.outcome == InboundOutcome.NEW_TICKET
    assert inbound.body == "My laptop is broken." and "My laptop is broken." in inbound.ticket.description


def test_a_from_that_is_not_an_address_is_refused_with_a_reason(db):
    inbound = receive_email(BROKEN[5])
    assert inbound.outcome == InboundOutcome.REFUSED and "sender address" in inbound.detail


def raw_with_charset(charset, body_bytes, subject=b"Subject: Laptop"):
    return (b"From: parent@example.org\r\n" + subject + b"\r\nMessage-ID: " + make_msgid().encode()
            + b"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=" + charset.encode()
            + b"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body_bytes + b"\r\n")


@pytest.mark.parametrize("charset, body_bytes, expected", [
    ("iso-8859-1", "Mon ordinateur portable ne démarre pas, café".encode("latin-1"), "ne démarre pas, café"),
    # Windows-1252 curly quotes and a euro sign, labelled as Latin-1 (as Outlook often does)
    ("iso-8859-1", "The \u201ccharger\u201d cost \u20ac20".encode("cp1252"), "The \u201ccharger\u201d cost \u20ac20"),
    ("windows-1252", "Ekran \u201ezepsuty\u201d".encode("cp1252"), "Ekran \u201ezepsuty\u201d"),
    ("x-bogus-charset", "Laptop nie działa".encode("utf-8"), "Laptop nie działa"),
    ("utf-8", b"Broken \xff\xfe bytes in UTF-8", "Broken \ufffd\ufffd bytes in UTF-8"),
])
def test_non_utf8_and_bogus_charsets_are_read(db, charset, body_bytes, expected):
    inbound = receive_email(raw_with_charset(charset, body_bytes))
    assert inbound.outcome == InboundOutcome.NEW_TICKET
    assert expected in inbound.body and expected in inbound.ticket.description


def test_an_encoded_subject_with_a_bogus_charset_and_raw_8bit_headers(db):
    raw = raw_with_charset("utf-8", b"The laptop is broken.",
                           subject=b"Subject: =?x-unknown?Q?caf=E9?= and raw \xe9t\xe9")
    inbound = receive_email(raw)
    assert inbound.outcome == InboundOutcome.NEW_TICKET
    inbound.subject.encode("utf-8")  # storable text, whatever came in
    assert "raw" in inbound.subject


def test_an_html_only_email_is_read_as_text_without_scripts_or_quotes(db):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "parent@example.org", "support@devices.example", "Help"
    message.set_content("<html><head><style>p{}</style><script>alert(1)</script></head><body><p>The laptop &amp; "
                        "charger</p><p>are <b>broken</b>.</p><blockquote>Earlier message</blockquote></body></html>",
                        subtype="html")
    inbound = receive_email(message.as_bytes())
    assert inbound.body == "The laptop & charger\n\nare broken."


def test_a_pdf_is_attached_and_an_exe_is_refused_and_named(db):
    raw = email(body="Here is the letter and the program.", attachments=[
        ("letter.pdf", PDF, "application", "pdf"),
        ("setup.exe", EXE, "application", "octet-stream"),
        ("photo.png", PNG, "image", "png"),
    ])
    inbound = receive_email(raw)
    assert inbound.outcome == InboundOutcome.NEW_TICKET
    names = sorted(Attachment.objects.filter(ticket=inbound.ticket).values_list("original_name", flat=True))
    assert names == ["letter.pdf", "photo.png"]
    assert "setup.exe" in inbound.detail and "photo (JPEG, PNG or WebP) or a PDF" in inbound.detail


def test_attachments_on_a_reply_and_the_limit_of_five(family_ticket, settings):
    ticket, _sent = family_ticket
    settings.SUPPORT_ATTACHMENT_MAX_BYTES = 1024
    files = [(f"p{n}.pdf", PDF, "application", "pdf") for n in range(6)] + [("huge.pdf", PDF + b"0" * 2048, "application", "pdf")]
    inbound = receive_email(email(to=reply_address(ticket), body="", attachments=files))
    assert inbound.outcome == InboundOutcome.THREADED
    (message,) = family_messages_on(ticket)
    assert message.attachments.count() == 5
    assert "p5.pdf (more than 5 files)" in inbound.detail and "huge.pdf (The file must be smaller" in inbound.detail


def test_only_refused_files_and_no_text_is_refused_naming_them(db):
    inbound = receive_email(email(body="", attachments=[("virus.exe", EXE, "application", "octet-stream")]))
    assert inbound.outcome == InboundOutcome.REFUSED and "virus.exe" in inbound.detail
    assert Ticket.objects.count() == 0


def test_the_same_message_twice_is_stored_once(family_ticket):
    ticket, _sent = family_ticket
    raw = email(to=reply_address(ticket), body="Only once please.")
    first, second = receive_email(raw), receive_email(raw)
    assert first.pk == second.pk and second.already_stored
    assert InboundMessage.objects.count() == 1 and len(family_messages_on(ticket)) == 1


def test_without_a_message_id_the_bytes_identify_it(db):
    raw = email(body="No Message-ID here.", message_id=False)
    assert receive_email(raw).pk == receive_email(raw).pk
    assert receive_email(raw.replace(b"here", b"there")).pk != receive_email(raw).pk
    assert InboundMessage.objects.filter(provider_id__startswith="sha256:").count() == 2


def test_a_mail_loop_from_one_address_is_cut_off(db, settings):
    settings.MESSAGING_INBOUND_EMAIL_MAX_PER_HOUR = 3
    outcomes = [receive_email(email(sender="loop@example.org", body=f"Message {n}")).outcome for n in range(5)]
    assert outcomes == ["new_ticket", "threaded", "threaded", "refused", "refused"]


def test_trim_quoted_keeps_inline_answers_and_stops_at_outlook_headers():
    text = "Yes it is.\n> Is it charged?\nIt is charged.\n\n________________________________\nFrom: Support\nSent: Monday"
    assert trim_quoted(text) == "Yes it is.\nIt is charged."
    assert trim_quoted("Answer\n-----Original Message-----\nold") == "Answer"
    assert trim_quoted("Odp\nW dniu 1.12.2026 o 10:00 Support <support@devices.example> pisze:\n> stare") == "Odp"
    assert trim_quoted("My son wrote:\nthe screen is black") == "My son wrote:\nthe screen is black"


# The mailboxes ----------------------------------------------------------------------------------


@pytest.fixture
def imap():
    with ImapTestServer() as server:
        yield server


def test_poll_over_imap_stores_threads_and_marks_seen_only_after(family_ticket, imap, settings):
    ticket, _sent = family_ticket
    settings.MESSAGING_MAILBOX_URL = imap.url
    reply = imap.add(email(to=reply_address(ticket), body="Reply by IMAP."))
    new = imap.add(email(sender="new@example.org", body="A new problem by IMAP."))
    auto = imap.add(email(headers={"Auto-Submitted": "auto-replied"}, body="Away"))
    already_read = imap.add(email(body="Read by a person already."), flags=["\\Seen"])
    result = poll_mailbox()
    assert result.error == "" and dict(result.outcomes) == {"threaded": 1, "new_ticket": 1, "auto_reply": 1}
    assert [m.body for m in family_messages_on(ticket)] == ["Reply by IMAP."]
    assert all("\\Seen" in imap.flags(uid) for uid in (reply, new, auto, already_read))
    # Each message was read with BODY.PEEK (it stays unseen until stored), then flagged.
    fetches = [line for line in imap.log if line.startswith("UID FETCH") and "BODY.PEEK[]" in line]
    assert len(fetches) == 3
    assert imap.log.index(f"UID FETCH {reply} (UID BODY.PEEK[])") < imap.log.index(f"UID STORE {reply} +FLAGS.SILENT (\\Seen)")
    # The next poll finds nothing new.
    assert poll_mailbox().stored == 0


def test_the_same_message_in_the_mailbox_twice_is_stored_once(db, imap, settings):
    raw = email(body="Sent to support@ and cc'd to support+x@: two copies, one Message-ID.")
    imap.add(raw)
    imap.add(raw)
    result = poll_mailbox(url=imap.url)
    assert (result.stored, result.duplicates) == (1, 1)
    assert InboundMessage.objects.count() == 1 and Ticket.objects.count() == 1
    assert OutboundMessage.objects.filter(template="ticket_created").count() == 1  # one confirmation, not two


def test_a_message_over_the_size_limit_is_refused_without_downloading_it(db, imap, settings):
    settings.MESSAGING_MAILBOX_MAX_BYTES = 20_000
    big = imap.add(email(sender="Big Sender <big@example.org>", subject="Photos",
                         attachments=[("photo.pdf", PDF + b"0" * 30_000, "application", "pdf")]))
    small = imap.add(email(body="A small one."))
    result = poll_mailbox(url=imap.url)
    assert dict(result.outcomes) == {"refused": 1, "new_ticket": 1}
    refused = InboundMessage.objects.get(outcome=InboundOutcome.REFUSED)
    assert (refused.sender, refused.subject) == ("big@example.org", "Photos")
    assert "over the 20 KB limit" in refused.detail and "still in the mailbox" in refused.detail
    assert f"UID FETCH {big} (UID BODY.PEEK[])" not in imap.log
    assert "\\Seen" in imap.flags(big) and "\\Seen" in imap.flags(small)
    assert poll_mailbox(url=imap.url).stored == 0


def test_at_most_a_batch_per_poll(db, imap, settings):
    settings.MESSAGING_MAILBOX_BATCH = 2
    for n in range(3):
        imap.add(email(sender=f"p{n}@example.org", body=f"Problem {n}"))
    assert poll_mailbox(url=imap.url).stored == 2
    assert poll_mailbox(url=imap.url).stored == 1


def test_imap_server_down_is_a_clean_error_and_nothing_is_lost(db, settings):
    server = ImapTestServer().start()
    url = server.url
    server.stop()  # nothing listens on the port any more
    result = poll_mailbox(url=url)
    assert "connection" in result.error and "refused" in result.error.lower()
    assert result.stored == 0 and InboundMessage.objects.count() == 0
    assert "p%40ss" not in result.summary() and "***" in result.summary()
    with pytest.raises(CommandError, match="refused"):
        call_command("poll_mailbox", url=url, stdout=io.StringIO())


def test_wrong_password_or_folder_is_a_clean_error(db, imap):
    imap.add(email(body="Waiting"))
    imap.fail_login = True
    assert "AUTHENTICATIONFAILED" in poll_mailbox(url=imap.url).error
    imap.fail_login = False
    assert "NONEXISTENT" in poll_mailbox(url=imap.url.replace("/INBOX", "/Missing")).error
    assert InboundMessage.objects.count() == 0
    assert poll_mailbox(url=imap.url).stored == 1  # still there once the settings are right


def test_a_connection_cut_before_the_seen_flag_rereads_and_stores_once(db, imap):
    uid = imap.add(email(body="Store me exactly once."))
    imap.drop_on = "UID STORE"
    result = poll_mailbox(url=imap.url)
    assert result.error and InboundMessage.objects.count() == 1
    assert "\\Seen" not in imap.flags(uid)  # not marked: it will be read again
    imap.drop_on = None
    again = poll_mailbox(url=imap.url)
    assert (again.stored, again.duplicates, again.error) == (0, 1, "")
    assert "\\Seen" in imap.flags(uid) and Ticket.objects.count() == 1


def test_a_storage_failure_leaves_the_message_for_the_next_poll(db, imap, monkeypatch):
    from django.core.exceptions import ValidationError

    from support import services

    uid = imap.add(email(body="With a file.", attachments=[("a.pdf", PDF, "application", "pdf")]))

    def full_disk(**kwargs):
        raise ValidationError("We could not store your file just now.", code="storage")

    monkeypatch.setattr(services, "_store_attachments", full_disk)
    result = poll_mailbox(url=imap.url)
    assert (result.stored, result.retry_later) == (0, 1)
    assert "\\Seen" not in imap.flags(uid) and InboundMessage.objects.count() == 0
    monkeypatch.undo()
    assert poll_mailbox(url=imap.url).stored == 1
    assert Attachment.objects.count() == 1


def write_eml(folder, name, raw):
    path = os.path.join(folder, "new", name)
    with open(path, "wb") as handle:
        handle.write(raw)
    return path


def test_maildir_poll_files_processed_mail_in_cur_with_the_seen_flag(db, tmp_path, settings):
    folder = str(tmp_path / "mailbox")
    settings.MESSAGING_MAILBOX_URL = f"maildir://{folder}"
    assert poll_mailbox().stored == 0  # created on first use
    raw = email(body="Dropped into the Maildir.")
    write_eml(folder, "1701.demo.eml", raw)
    result = poll_mailbox()
    assert dict(result.outcomes) == {"new_ticket": 1}
    assert os.listdir(os.path.join(folder, "new")) == []
    (filed,) = os.listdir(os.path.join(folder, "cur"))
    assert filed == "1701.demo.eml:2,S"
    with open(os.path.join(folder, "cur", filed), "rb") as handle:
        assert handle.read() == raw  # kept as it came
    assert poll_mailbox().stored == 0


def test_maildir_refuses_a_file_over_the_size_limit(db, tmp_path, settings):
    folder = str(tmp_path / "mailbox")
    settings.MESSAGING_MAILBOX_MAX_BYTES = 10_000
    poll_mailbox(url=f"maildir://{folder}")
    write_eml(folder, "big.eml", email(sender="big@example.org", subject="Huge", body="x" * 20_000))
    result = poll_mailbox(url=f"maildir://{folder}")
    assert dict(result.outcomes) == {"refused": 1}
    assert InboundMessage.objects.get().sender == "big@example.org"


def test_the_command_prints_counts_per_outcome(db, tmp_path):
    folder = str(tmp_path / "mailbox")
    poll_mailbox(url=f"maildir://{folder}")
    write_eml(folder, "a.eml", email(body="First"))
    write_eml(folder, "b.eml", email(body="", sender="nobody@example.org"))
    out = io.StringIO()
    call_command("poll_mailbox", url=f"maildir://{folder}", stdout=out)
    assert "stored 2 (new_ticket 1, refused 1); already stored 0; retry later 0" in out.getvalue()


def test_the_task_polls_the_configured_mailbox(db, imap, settings):
    settings.MESSAGING_MAILBOX_URL = imap.url
    imap.add(email(body="Through the worker."))
    result = tasks.poll_mailbox.enqueue()
    assert result.return_value["outcomes"] == {"new_ticket": 1} and result.return_value["error"] == ""
    assert "***" in result.return_value["mailbox"]


def test_the_task_reports_a_mailbox_that_is_down_without_failing(db, settings):
    settings.MESSAGING_MAILBOX_URL = "imap://u:p@127.0.0.1:1/INBOX"
    result = tasks.poll_mailbox.enqueue()
    assert result.status == "SUCCESSFUL" and "refused" in result.return_value["error"].lower()


def test_the_demo_emails_in_fixtures_go_through_a_maildir(db, tmp_path):
    import shutil
    from pathlib import Path

    folder = str(tmp_path / "mailbox")
    poll_mailbox(url=f"maildir://{folder}")
    for sample in sorted((Path(__file__).resolve().parents[2] / "fixtures" / "mail").glob("*.eml")):
        shutil.copy(sample, os.path.join(folder, "new", sample.name))
    result = poll_mailbox(url=f"maildir://{folder}")
    assert dict(result.outcomes) == {"new_ticket": 1, "auto_reply": 1}
    assert Ticket.objects.get().language == "pl"


@pytest.mark.parametrize("date, kept", [
    ("Tue, 01 Dec 2026 09:30:00 -0000", True),  # no zone: read as UTC
    ("Tue, 01 Dec 2026 09:30:00", True),
    ("Sat, 01 Jan 2000 00:00:00 +0000", False),  # too old to believe: the time it came
    ("Fri, 01 Jan 2100 00:00:00 +0000", False),  # in the future
    ("not a date", False),
])
def test_the_date_header_is_used_when_it_is_believable(db, date, kept):
    from datetime import datetime
    from datetime import timezone as dt_timezone

    from django.utils import timezone as django_timezone

    now = datetime(2026, 12, 1, 12, 0, tzinfo=dt_timezone.utc)
    raw = email(body="Dated.").replace(b"Date: ", b"X-Old-Date: ", 1)
    raw = raw.replace(b"\nFrom:", f"\nDate: {date}\nFrom:".encode(), 1) if b"\nFrom:" in raw else f"Date: {date}\n".encode() + raw
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(django_timezone, "now", lambda: now)
        inbound = receive_email(raw)
    expected = datetime(2026, 12, 1, 9, 30, tzinfo=dt_timezone.utc) if kept else now
    assert inbound.received_at == expected


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    import shutil
    import subprocess

    if not shutil.which("openssl"):
        pytest.skip("the openssl command is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key


def test_imaps_checks_the_certificate_and_reads_over_tls(db, settings, certificate):
    import ssl

    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with ImapTestServer(tls=context) as server:
        server.add(email(body="Over TLS."))
        assert server.url.startswith("imaps://")
        # Not signed by an authority we trust: refused before anything is read or sent.
        untrusted = poll_mailbox(url=server.url)
        assert "CERTIFICATE_VERIFY_FAILED" in untrusted.error and not InboundMessage.objects.exists()
        settings.MESSAGING_MAILBOX_CA_FILE = str(cert)
        result = poll_mailbox(url=server.url)
    assert (result.error, dict(result.outcomes)) == ("", {"new_ticket": 1})


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real transactions (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_two_pollers_taking_the_same_email_at_once_store_it_once_and_send_once():
    import threading

    raw = email(sender="race@example.org", body="Two workers polled at the same moment.")
    barrier = threading.Barrier(2)
    rows, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            rows.append(receive_email(raw).pk)
        except Exception as error:  # pragma: no cover - reported by the assertion
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and len(rows) == 2 and rows[0] == rows[1]
    assert InboundMessage.objects.count() == 1 and Ticket.objects.count() == 1
    assert OutboundMessage.objects.filter(template="ticket_created").count() == 1


def test_a_ticket_the_service_refuses_is_stored_as_refused_with_the_reason(db, monkeypatch):
    from django.core.exceptions import ValidationError

    from support import services

    def refuse(**kwargs):
        raise ValidationError({"description": ["This field cannot be blank."]})

    monkeypatch.setattr(services, "message_from_family", refuse)
    inbound = receive_email(email(body="Refused by a rule."))
    assert inbound.outcome == InboundOutcome.REFUSED and "cannot be blank" in inbound.detail
    assert inbound.body == "Refused by a rule."


def test_a_bounce_without_a_text_part_is_still_a_bounce(family_ticket):
    _ticket, sent = family_ticket
    raw = dsn(original_message_id=sent.email_message_id)
    start = raw.index(b"--BOUNDARY\nContent-Type: text/plain")
    end = raw.index(b"--BOUNDARY\nContent-Type: message/delivery-status")
    inbound = receive_email(raw[:start] + raw[end:])
    assert inbound.outcome == InboundOutcome.BOUNCE
    sent.refresh_from_db()
    assert sent.status == Status.PERMANENT_FAILURE


def test_an_email_with_only_a_photo_opens_a_ticket_with_it(db):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "parent@example.org", "support@devices.example", "Broken screen"
    message.add_attachment(PNG, maintype="image", subtype="png", filename="screen.png")
    inbound = receive_email(message.as_bytes())
    assert inbound.outcome == InboundOutcome.NEW_TICKET
    assert inbound.ticket.attachments.get().original_name == "screen.png"
    assert inbound.ticket.description.startswith("Broken screen")
