"""Locust users for the bounded load test (``scripts/load_test.sh``).

Council officers browse the device list, open devices, search by serial and now and then
upload a small delivery file and check it (a dry run; nothing is imported). Support agents
open tickets and reply. A few CIOs open their dashboard and the DfE return, and a few London
leads the London view and its CSV, less often (a report is read, not clicked through). All sign in through the real sign-in page. The ids, serials and
tickets come from ``tests/load/prepare.py`` (``LOAD_DATA``, a JSON file).
"""

import json
import os
import random
import re
import uuid

from locust import HttpUser, between, task

DATA = json.load(open(os.environ.get("LOAD_DATA", "/tmp/loadtest-data.json")))
JOB = re.compile(r"/imports/(\d+)/")


class SignedIn(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)
    username = ""

    def on_start(self):
        self.client.get("/sign-in/", name="sign-in")
        response = self.client.post(
            "/sign-in/",
            {"username": self.username, "password": DATA["password"]},
            headers=self.csrf(),
            name="sign-in",
            allow_redirects=False,
        )
        if response.status_code != 302:
            response.failure(f"sign-in failed: {response.status_code}")

    def csrf(self):
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": self.host + "/"}


class Officer(SignedIn):
    weight = 7
    username = DATA["officer"]

    @task(6)
    def device_list(self):
        self.client.get(f"/devices/?page={random.randint(1, 20)}", name="/devices/?page=N")

    @task(6)
    def device_detail(self):
        self.client.get(f"/devices/{random.choice(DATA['devices'])}/", name="/devices/<pk>/")

    @task(4)
    def search(self):
        serial = random.choice(DATA["serials"])
        self.client.get(f"/devices/?q={serial}", name="/devices/?q=<serial>")

    @task(1)
    def import_dry_run(self):
        tag = uuid.uuid4().hex[:10].upper()
        rows = ["Kind,Make,Serial,Delivery date"] + [f"laptop,Dell,LOAD-{tag}-{i},01/02/2021" for i in range(25)]
        response = self.client.post(
            "/imports/new/?kind=delivery",
            files={"file": (f"load-{tag}.csv", "\n".join(rows).encode(), "text/csv")},
            headers=self.csrf(),
            name="import upload",
            allow_redirects=False,
        )
        match = JOB.search(response.headers.get("Location", ""))
        if response.status_code != 302 or not match:
            response.failure(f"upload not accepted: {response.status_code}")
            return
        job = match.group(1)
        mapping = {"map_kind": "Kind", "map_make": "Make", "map_serial": "Serial", "map_delivered_on": "Delivery date"}
        self.client.post(f"/imports/{job}/check/", mapping, headers=self.csrf(), name="import dry run", allow_redirects=False)
        with self.client.get(f"/imports/{job}/", name="/imports/<pk>/", catch_response=True) as page:
            if "Ready to import" not in page.text:
                page.failure("dry run did not pass")


class Agent(SignedIn):
    weight = 3
    username = DATA["agent"]

    @task(3)
    def ticket(self):
        self.client.get(f"/support/tickets/{random.choice(DATA['tickets'])}/", name="/support/tickets/<pk>/")

    @task(2)
    def reply(self):
        pk = random.choice(DATA["tickets"])
        self.client.post(
            f"/support/tickets/{pk}/reply/",
            {"body": "Thank you, a replacement charger is on its way.", "kind": "public", "language": "en"},
            headers=self.csrf(),
            name="/support/tickets/<pk>/reply/",
            allow_redirects=False,
        )

    @task(1)
    def queue(self):
        self.client.get("/support/", name="/support/")


class Cio(SignedIn):
    weight = 1
    wait_time = between(10.0, 30.0)
    username = DATA["cio"]

    @task(6)
    def dashboard(self):
        self.client.get("/reports/", name="/reports/ (dashboard)")

    @task(1)
    def dfe_return(self):
        self.client.get("/reports/dfe-return.xlsx", name="/reports/dfe-return.xlsx")


class LondonLead(SignedIn):
    weight = 1
    wait_time = between(10.0, 30.0)
    username = DATA["london_lead"]

    @task(4)
    def london(self):
        self.client.get("/reports/london/", name="/reports/london/")

    @task(1)
    def london_csv(self):
        self.client.get("/reports/london.csv", name="/reports/london.csv")
