"""The connectivity demo: connection plans, data bank vouchers and check-ins in Camden and
Hackney, made through the services, and the same rows after a second ``seed_demo``."""

import datetime
import io

import pytest
from django.core.management import call_command

from connectivity.models import CheckIn, ConnectionPlan, DataVoucher
from messaging.models import OutboundMessage


def _counts():
    return (ConnectionPlan.objects.count(), DataVoucher.objects.count(), CheckIn.objects.count(), OutboundMessage.objects.count())


@pytest.mark.django_db(transaction=False)
def test_demo_shows_plans_vouchers_and_checkins_and_is_idempotent(client):
    call_command("seed_demo", stdout=io.StringIO())
    counts = _counts()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert _counts() == counts
    assert "Connection plans, data vouchers and check-ins" in out.getvalue()
    for code in ("202", "204"):
        current = ConnectionPlan.objects.filter(child__local_authority__code=code, is_current=True)
        assert set(current.values_list("kind", flat=True)) == {"council_plan", "social_tariff", "data_bank"}
        given = DataVoucher.objects.get(local_authority__code=code, given_to__isnull=False)
        assert current.get(kind="data_bank").voucher == given
        assert DataVoucher.objects.filter(local_authority__code=code, given_to__isnull=True).count() == 4
        checkins = CheckIn.objects.filter(local_authority__code=code)
        assert checkins.count() == 2
        answered = checkins.get(answered_at__isnull=False)
        assert (answered.answer, answered.answered_by) == ("works", "sms")
        unanswered = checkins.get(answered_at__isnull=True)
        assert unanswered.message is not None and unanswered.language == unanswered.child.preferred_language
        assert unanswered.follow_up_at < datetime.date.today()
    # The pages show them to Camden's officer, and nothing of Hackney's.
    from accounts.models import User
    from django.urls import reverse

    client.force_login(User.objects.get(username="officer"))
    page = client.get(reverse("connectivity:voucher_list")).content.decode()
    assert "DEMO-NDB-202-0002" in page and "DEMO-NDB-204-0002" not in page
    assert "202-DEMO-007" in client.get(reverse("connectivity:checkin_follow_up")).content.decode()
