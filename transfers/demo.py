"""Demo moves between councils (after allocations/demo.py): a Hackney child with a laptop who
moved to Camden last month (accepted, placed with no school yet), and a Camden child with a laptop whose move
to Hackney is waiting for Hackney's answer. Idempotent: nothing is added once a move exists."""

import datetime

from django.utils import timezone


def seed(stdout, style):
    from accounts.models import LocalAuthority, School, User
    from allocations import services as allocation_services
    from allocations.demo import _free_device
    from allocations.models import Child
    from transfers import services
    from transfers.models import ChildTransfer

    camden, hackney = LocalAuthority.objects.filter(code="202").first(), LocalAuthority.objects.filter(code="204").first()
    officer, hackney_officer = User.objects.filter(username="officer").first(), User.objects.filter(username="officer.hackney").first()
    if None in (camden, hackney, officer, hackney_officer) or ChildTransfer.objects.exists():
        return
    stdout.write(style.MIGRATE_HEADING("Moves between councils"))
    school = School.objects.filter(local_authority=hackney).open().order_by("urn").first()
    if school is None:
        return
    today = timezone.localdate()
    child = allocation_services.save_child(
        child=Child(
            school=school, reference="204-DEMO-MOVE", first_name="Idil", last_name="Farah", year_group="9", preferred_language="so",
            eligibility="social_worker", guardian_name="Mrs Farah", guardian_phone="+447700900499",
        ),
        by=hackney_officer,
    )
    allocation = allocation_services.allocate(child=child, device=_free_device(hackney, hackney_officer), by=hackney_officer,
                                              on=today - datetime.timedelta(days=90))
    allocation_services.hand_over(allocation=allocation, on=today - datetime.timedelta(days=85), handed_over_by="School office",
                                  received_by="Mrs Farah", by=hackney_officer)
    move = services.propose(child=child, to_local_authority=camden, by=hackney_officer,
                            note="The family has moved into temporary accommodation in Camden. Ask for Hana Kowalski.")
    services.accept(transfer=move, by=officer, reference="202-MOVED-001")
    # A Camden child with a laptop, none of whose devices is in an open campaign.
    candidates = Child.objects.filter(local_authority=camden, reference__startswith="202-DEMO-", allocations__status="handed_over").order_by("reference")
    waiting = next((c for c in candidates.distinct() if not services.child_problems(c)), None)
    if waiting is not None:
        services.propose(child=waiting, to_local_authority=hackney, by=officer, note="Family rehoused in Hackney from January.")
    stdout.write(f"  {ChildTransfer.objects.count()} moves: one accepted (Hackney to Camden), one waiting for Hackney")
