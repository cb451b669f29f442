"""Prepare a database for the load test: sign-in users, tickets to reply to, and the ids and
serials the simulated users ask for (written as JSON for the locustfile).

Run through ``manage.py shell`` by ``scripts/load_test.sh``; idempotent. It only adds rows
(users, tickets, messages), so it is meant for a database made for the load test, never a
real one.
"""

import json
import os
import random

from django.db import transaction

PASSWORD = os.environ.get("LOAD_PASSWORD", "load-test-password-7")
TICKETS = 200


def main(out_path):
    from accounts.models import LocalAuthority, User
    from devices.models import Device
    from support.models import Category, Source, Ticket
    from support.services import create_ticket

    la = LocalAuthority.objects.filter(pk__in=Device.objects.values("local_authority_id")[:1]).first()
    if la is None:
        raise SystemExit("The database has no devices: generate data first (manage.py generate_scale_data).")
    users = {}
    for role in ("council_officer", "support_agent", "cio", "london_lead"):
        username = f"load-{role}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username, role=role, local_authority=None if role == "london_lead" else la, email=f"{username}@example.org"
            )
        user.set_password(PASSWORD)
        user.is_active = True
        user.save()
        users[role] = user
    existing = Ticket.objects.filter(local_authority=la, requester_name="Load test").count()
    school_devices = list(Device.objects.filter(local_authority=la).exclude(school=None).values_list("pk", flat=True)[:TICKETS])
    with transaction.atomic():
        for i in range(existing, TICKETS):
            device = Device.objects.filter(pk=school_devices[i % len(school_devices)]).first() if school_devices else None
            create_ticket(
                category=Category.HARDWARE, description="The laptop will not charge.", source=Source.STAFF,
                requester_name="Load test", requester_email="load@example.org", device=device, local_authority=la,
            )
    ids = list(Device.objects.filter(local_authority=la).values_list("pk", "serial")[:5000])
    random.Random(7).shuffle(ids)
    tickets = list(Ticket.objects.filter(local_authority=la, requester_name="Load test").values_list("pk", flat=True))
    data = {
        "password": PASSWORD,
        "officer": users["council_officer"].username,
        "agent": users["support_agent"].username,
        "cio": users["cio"].username,
        "london_lead": users["london_lead"].username,
        "local_authority": la.name,
        "devices": [pk for pk, _ in ids[:2000]],
        "serials": [s for _, s in ids[2000:4000]],
        "tickets": tickets,
        "device_total": Device.objects.count(),
    }
    with open(out_path, "w") as f:
        json.dump(data, f)
    print(f"load test data: {la.name}, {len(data['devices'])} devices, {len(tickets)} tickets, {data['device_total']} devices in all")
