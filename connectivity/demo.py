"""Demo data for connectivity, run by ``manage.py seed_demo`` after ``devices/demo.py`` (which
creates the networks and the demo SIMs). Idempotent."""

# --- network side: network users and requests in their queues
import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import Role, User

#: (login, first name, last name, network slug): one user per network the demo works with.
NETWORK_USERS = [
    ("network", "Nadia", "Evans", "ee"),
    ("network.vodafone", "Victor", "Osei", "vodafone"),
]

#: (LA code, router number, kind, status to move it to or "", days since the last change):
#: demo SIMs are on EE (router n % 4 == 0) and Vodafone (n % 4 == 1), see devices/demo.py.
REQUESTS = [
    ("202", 0, "increase", "", 2),
    ("202", 4, "extend", "in_progress", 1),
    ("202", 1, "swap", "", 20),  # no change for 20 days: overdue
    ("202", 5, "increase", "done", 3),
    ("204", 0, "extend", "", 4),
    ("204", 1, "increase", "problem", 2),
    ("204", 5, "swap", "sent", 6),
]


def seed(stdout, style):
    from connectivity.models import NetworkOperator, NetworkRequest, Sim
    from connectivity import services
    from devices.demo import LAS

    networks = {n.slug: n for n in NetworkOperator.objects.filter(slug__in=[u[3] for u in NETWORK_USERS])}
    users = {}
    for username, first, last, slug in NETWORK_USERS:
        if slug not in networks:
            continue
        user = User.objects.filter(username=username).first()
        created = user is None
        user = user or User(username=username)
        user.first_name, user.last_name, user.role = first, last, Role.NETWORK
        user.email = f"{username}@demo.devices.example"
        user.local_authority, user.school, user.network_operator = None, None, networks[slug]
        user.is_staff = user.is_superuser = False
        if created:
            user.set_password(DEMO_PASSWORD)
        user.save()
        users[slug] = user
        stdout.write(f"  {username:<18} {user.get_role_display():<28} {user.scope_label}")
    made = 0
    now = timezone.now()
    for code, n, kind, to_status, days in REQUESTS:
        officer = User.objects.filter(username=LAS.get(code, ("",))[0]).first()
        sim = Sim.objects.filter(device__serial=f"DEMO{code}R{n:03d}").select_related("network").first()
        if sim is None or officer is None or sim.network is None:
            continue
        if NetworkRequest.objects.filter(sim=sim, kind=kind).exists():
            continue
        at = now - datetime.timedelta(days=days)
        request = services.raise_request(kind=kind, sim=sim, by=officer, reason="Demo request", at=at - datetime.timedelta(days=1))
        if to_status:
            mover = users.get(sim.network.slug)
            if to_status == "sent":
                services.move_request(request=request, to_status="sent", by=officer, at=at)
            elif mover is not None:
                services.move_request(request=request, to_status=to_status, by=mover, at=at,
                                      problem="account_holder" if to_status == "problem" else "",
                                      note="Demo update from the network")
        else:
            NetworkRequest.objects.filter(pk=request.pk).update(changed_at=at)
        made += 1
    stdout.write(f"  network requests: {made} created ({NetworkRequest.objects.count()} in all)")


# --- connection plans, data bank vouchers and check-ins (run after the children exist)

#: Per LA: the vouchers in stock (provider's codes), and plans by child (allocations/demo.py).
VOUCHERS = 5
#: (child reference suffix, plan kind, provider, outcome, monthly cost, months of cover)
PLANS = [
    ("001", "council_plan", "EE", "", "10.00", 24),
    ("003", "social_tariff", "BT Home Essentials", "referred", "15.00", None),
    ("007", "data_bank", "", "", None, None),  # a voucher from the stock
]
#: (child reference suffix, router number, days since the check-in was sent, answer or "")
CHECKINS = [
    ("007", 12, 16, ""),  # no answer after 14 days: on the school's follow-up list
    ("001", 13, 5, "works"),  # answered "Yes, it works" by text
]


def seed_last(stdout, style):
    from accounts.models import LocalAuthority
    from allocations.models import Child
    from connectivity.models import ConnectionPlan, DataVoucher

    stdout.write(style.MIGRATE_HEADING("Connection plans, data vouchers and check-ins"))
    today = timezone.localdate()
    for code, (officer_name, _block) in _las().items():
        la = LocalAuthority.objects.filter(code=code).first()
        officer = User.objects.filter(username=officer_name).first()
        if la is None or officer is None:
            continue
        for n in range(1, VOUCHERS + 1):
            DataVoucher.objects.get_or_create(
                code=f"DEMO-NDB-{code}-{n:04d}",
                defaults={"local_authority": la, "data_mb": 20 * 1024, "expires": today + datetime.timedelta(days=180 + 30 * n)},
            )
        children = {c.reference.rsplit("-", 1)[-1]: c for c in Child.objects.filter(local_authority=la, reference__startswith=f"{code}-DEMO-")}
        plans_made = _seed_plans(children, officer, today)
        checkins_made = _seed_checkins(code, la, children, officer)
        stock = DataVoucher.objects.filter(local_authority=la).in_stock(today).count()
        current = ConnectionPlan.objects.filter(child__local_authority=la, is_current=True).count()
        stdout.write(f"  {la.name}: {plans_made} plans and {checkins_made} check-ins added; {current} current plans, {stock} vouchers in stock")


def _las():
    from devices.demo import LAS

    return LAS


def _seed_plans(children, officer, today):
    from connectivity import plans
    from connectivity.models import ConnectionPlan
    from devices.horizon import add_months

    made = 0
    for suffix, kind, provider, outcome, cost, months in PLANS:
        child = children.get(suffix)
        if child is None or not child.needs_connectivity or ConnectionPlan.objects.filter(child=child, is_current=True).exists():
            continue
        if kind == "data_bank":
            plans.give_voucher(child=child, by=officer, notes="Demo: voucher given at the school gate")
        else:
            starts = add_months(today.replace(day=1), 1)
            plans.choose_plan(
                child=child, kind=kind, by=officer, provider=provider, outcome=outcome, monthly_cost=cost and Decimal(cost),
                starts=starts, ends=add_months(starts, months) - datetime.timedelta(days=1) if months else None,
            )
        made += 1
    return made


def _seed_checkins(code, la, children, officer):
    """A 4G router handed to the child, and a check-in about its (idle) SIM, sent as the daily
    check would send it (``checkins.send_checkin``), answered for some."""
    from allocations import services as allocation_services
    from allocations.models import ACTIVE_ALLOCATION_STATUSES, Allocation
    from connectivity import checkins
    from connectivity.idle import IDLE, IdleSim
    from connectivity.models import CheckIn
    from devices.models import Device

    made = 0
    now = timezone.now()
    for suffix, n, days, answer in CHECKINS:
        child = children.get(suffix)
        device = Device.objects.filter(serial=f"DEMO{code}R{n:03d}", local_authority=la).select_related("sim").first()
        sim = getattr(device, "sim", None) if device is not None else None
        if child is None or sim is None or CheckIn.objects.filter(sim=sim).exists():
            continue
        allocation = Allocation.objects.filter(device=device, status__in=ACTIVE_ALLOCATION_STATUSES).first()
        if allocation is None:
            if device.status not in ("delivered", "in_stock"):
                continue
            on = timezone.localdate() - datetime.timedelta(days=days + 60)
            allocation = allocation_services.allocate(child=child, device=device, by=officer, on=on)
            allocation = allocation_services.hand_over(allocation=allocation, on=on, handed_over_by="School office",
                                                       received_by=child.guardian_name, by=officer)
        if allocation.child_id != child.pk:
            continue
        sent = now - datetime.timedelta(days=days)
        idle = IdleSim(sim_id=sim.pk, iccid=sim.iccid, device_id=device.pk, serial=device.serial, allocation_id=allocation.pk,
                       child_id=child.pk, local_authority_id=la.pk, school_id=child.school_id, reason=IDLE, previous_mb=0.0)
        checkin = checkins.send_checkin(idle=idle, child=child, period=timezone.localdate(sent).replace(day=1), now=sent)
        if checkin is None:
            continue
        if answer:
            checkins.answer_checkin(checkin=checkin, answer=answer, channel=CheckIn.AnsweredBy.SMS, now=sent + datetime.timedelta(hours=3))
        made += 1
    return made
