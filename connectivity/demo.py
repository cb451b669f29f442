"""Demo data for connectivity, run by ``manage.py seed_demo`` after ``devices/demo.py`` (which
creates the networks and the demo SIMs). Idempotent."""

# --- network side: network users and requests in their queues
import datetime

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
