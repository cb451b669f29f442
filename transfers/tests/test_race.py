"""Two officers answer the same move at the same moment, or two propose moving the same child:
one wins and the other is refused with a reason. Real concurrency needs real transactions, so
this runs on PostgreSQL."""

import threading

import pytest
from django.db import close_old_connections, connection

from accounts.tests.factories import LocalAuthorityFactory, SchoolFactory, UserFactory
from allocations.models import Child
from allocations.tests.factories import ChildFactory, handed_over
from devices.models import DeviceEvent
from transfers import services
from transfers.models import ChildTransfer, TransferStatus


def at_once(calls):
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait(timeout=10)
            results.append(call())
        except services.TransferError as exc:
            errors.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - the test reports any other failure
            errors.append(f"unexpected: {exc!r}")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results, errors


@pytest.fixture
def move():
    camden, hackney = LocalAuthorityFactory(code="202", name="Camden"), LocalAuthorityFactory(code="204", name="Hackney")
    child = ChildFactory(school=SchoolFactory(local_authority=camden))
    handed_over(child=child)
    officer = UserFactory(role="council_officer", local_authority=camden)
    receivers = [UserFactory(role="council_officer", local_authority=hackney) for _ in range(2)]
    return {"child": child, "officer": officer, "receivers": receivers, "camden": camden, "hackney": hackney}


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_two_officers_accepting_at_once_move_the_child_once(move):
    transfer = services.propose(child=move["child"], to_local_authority=move["hackney"], by=move["officer"])
    a, b = move["receivers"]
    results, errors = at_once([
        lambda: services.accept(transfer=transfer, by=a, reference="HAC-A"),
        lambda: services.accept(transfer=transfer, by=b, reference="HAC-B"),
    ])
    assert len(results) == 1 and len(errors) == 1 and "already accepted on" in errors[0]
    child = Child.objects.get(pk=move["child"].pk)
    assert child.reference in ("HAC-A", "HAC-B")
    assert DeviceEvent.objects.filter(kind="moved_in").count() == 1
    assert ChildTransfer.objects.get().status == TransferStatus.ACCEPTED


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_accepting_and_withdrawing_at_once_do_one_of_the_two(move):
    transfer = services.propose(child=move["child"], to_local_authority=move["hackney"], by=move["officer"])
    results, errors = at_once([
        lambda: services.accept(transfer=transfer, by=move["receivers"][0], reference="HAC-A"),
        lambda: services.withdraw(transfer=transfer, by=move["officer"]),
    ])
    assert len(results) == 1 and len(errors) == 1 and "already" in errors[0]
    transfer.refresh_from_db()
    child = Child.objects.get(pk=move["child"].pk)
    assert (transfer.status == TransferStatus.ACCEPTED) == (child.local_authority_id == move["hackney"].pk)


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_two_proposals_of_one_child_at_once_make_one(move):
    islington = LocalAuthorityFactory(code="206", name="Islington")
    results, errors = at_once([
        lambda: services.propose(child=move["child"], to_local_authority=move["hackney"], by=move["officer"]),
        lambda: services.propose(child=move["child"], to_local_authority=islington, by=move["officer"]),
    ])
    assert len(results) == 1 and len(errors) == 1 and "already waiting for an answer" in errors[0]
    assert ChildTransfer.objects.count() == 1
