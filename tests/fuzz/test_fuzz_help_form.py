"""Property-based tests of the public help form and the family's reply form.

Random field values POSTed through the test client (which raises on any server error): the
answer is the form again with messages (nothing written), a redirect to the new ticket (exactly
one ticket written), the honeypot's thank-you page, or a 404 for an unknown language.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.models import Attachment, Category, Message, Ticket
from support.tests.factories import DEFAULT_TOKEN, TicketFactory

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Text a browser can send in a form field: no NUL, no lone surrogates.
field_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=80)
maybe = lambda strategy: st.one_of(st.just(None), strategy)  # noqa: E731 - None = field left out
upload = st.one_of(
    st.none(),
    st.builds(lambda body, name: SimpleUploadedFile(name or "f", body), st.binary(max_size=64), field_text),
    st.builds(lambda body: SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + body), st.binary(max_size=64)),
)
form = st.fixed_dictionaries(
    {
        "name": maybe(field_text),
        "phone": maybe(st.one_of(field_text, st.sampled_from(["07700 900123", "+44 20 7946 0000", "0", "+1 202 555 0100"]))),
        "email": maybe(st.one_of(field_text, st.emails())),
        "serial": maybe(field_text),
        "category": maybe(st.one_of(field_text, st.sampled_from(Category.values))),
        "description": maybe(st.one_of(field_text, st.text(min_size=3990, max_size=4010))),
        "needs_interpreter": maybe(st.sampled_from(["on", "1", "", "yes", "x"])),
        "website": st.one_of(st.none(), st.none(), st.none(), field_text),
        "attachment": upload,
    }
)


def _post(client, url, data):
    return client.post(url, {k: v for k, v in data.items() if v is not None})


@FUZZ
@given(data=form, lang=st.one_of(st.sampled_from(["en", "so", "pl", "ar"]), st.text(alphabet="abcxyz-", min_size=1, max_size=6)))
def test_help_form_never_fails_and_never_half_writes(db, settings, data, lang):
    settings.SUPPORT_PUBLIC_RATE_LIMIT = 10**6
    tickets, attachments = Ticket.objects.count(), Attachment.objects.count()
    response = _post(Client(), reverse("support:help_form", args=[lang]), data)
    assert response.status_code in (200, 302, 404)
    if response.status_code == 302:
        assert Ticket.objects.count() == tickets + 1
        assert Attachment.objects.count() in (attachments, attachments + 1)
    else:
        assert Ticket.objects.count() == tickets and Attachment.objects.count() == attachments


@FUZZ
@given(body=maybe(st.one_of(field_text, st.text(min_size=3995, max_size=4005))), attachment=upload, token=st.one_of(st.just(DEFAULT_TOKEN), field_text))
def test_family_reply_never_fails_and_never_half_writes(db, settings, body, attachment, token):
    settings.SUPPORT_PUBLIC_RATE_LIMIT = 10**6
    ticket = TicketFactory()
    messages = Message.objects.count()
    try:
        url = reverse("support:family_ticket", args=[ticket.reference, token])
    except Exception:
        return  # a token that cannot be part of a URL never reaches the server
    response = _post(Client(), url, {"body": body, "attachment": attachment})
    assert response.status_code in (200, 302, 404)
    assert Message.objects.count() == messages + (1 if response.status_code == 302 and token == DEFAULT_TOKEN else 0)
