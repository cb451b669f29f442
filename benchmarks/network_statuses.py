"""A network's status file: ``network_statuses``.

A network's CSV of ``rows_for(scale)`` status updates (100,000 at every scale but ``tiny``):
half by request reference, half by the SIM's ICCID; in progress, done (a tenth of them
suspensions, which suspend their SIMs, with the SIMs' history) and problems with a code; each
with a note. Ours: the network user's upload as the page does it, the dry run
(``core.imports.engine.validate`` with ``connectivity.status_imports.SPEC``: every row checked,
the parsed rows kept) then the commit (every row checked again, then
``connectivity.network_statuses.apply``: set-based writes), timed together. Anchor: the naive
way, ``connectivity.services.move_request`` per row through the ORM (a lookup by reference or
ICCID, the row lock, the update, the event), measured on a sample of ``SAMPLE`` other requests
and scaled to the file's rows.

Its own rows (a network ``bench-statuses``, its SIMs and requests) are made before and removed
after; nothing else is touched.
"""

from __future__ import annotations

import io
import os
import tempfile
import time

from benchmarks import Result

SAMPLE = 300  # 50 at ``tiny`` (the test suite's smoke run)
SLUG = "bench-statuses"


def rows_for(scale):
    return 300 if scale == "tiny" else int(os.environ.get("BENCH_NETWORK_STATUS_ROWS", 100_000))


def _sample_for(scale):
    return 50 if scale == "tiny" else SAMPLE


def _make(n, sample_size):
    from django.utils import timezone

    from accounts.models import LocalAuthority, Role, User
    from connectivity.models import NetworkOperator, NetworkRequest, Sim

    _clean()
    network = NetworkOperator.objects.create(name="Bench network", slug=SLUG)
    la = LocalAuthority.objects.order_by("pk").first() or LocalAuthority.objects.create(code="999", gss_code="E09999999", name="Bench")
    user = User.objects.create(username="bench-network-statuses", role=Role.NETWORK, network_operator=network)
    now = timezone.now()
    total = n + sample_size
    Sim.objects.bulk_create(
        (Sim(iccid=f"894499{i:013d}", network=network, local_authority=la, status=Sim.Status.ACTIVE) for i in range(total)),
        batch_size=5000,
    )
    sims = list(Sim.objects.filter(network=network).order_by("pk").values_list("pk", "iccid"))
    NetworkRequest.objects.bulk_create(
        (NetworkRequest(kind="suspend" if i % 10 == 0 else "extend", sim_id=pk, network=network, local_authority=la,
                        status=NetworkRequest.Status.REQUESTED, reason="bench", changed_at=now)
         for i, (pk, _iccid) in enumerate(sims)),
        batch_size=5000,
    )
    requests = list(NetworkRequest.objects.filter(network=network).order_by("pk").values_list("pk", "sim__iccid"))
    return network, user, requests[:n], requests[n:]


def _clean():
    from accounts.models import User
    from connectivity.models import NetworkOperator, NetworkRequest, NetworkRequestEvent, Sim

    network = NetworkOperator.objects.filter(slug=SLUG).first()
    if network is None:
        return
    NetworkRequestEvent.objects.filter(request__network=network).delete()
    NetworkRequest.objects.filter(network=network).delete()
    # Without the per-row delete signals (simple-history's "-" rows for 100,000 bench SIMs):
    # nothing else refers to these SIMs once their requests are gone.
    Sim.objects.filter(network=network)._raw_delete(Sim.objects.db)
    Sim.history.filter(network_id=network.pk)._raw_delete(Sim.objects.db)
    User.objects.filter(username="bench-network-statuses").delete()
    network.delete()


def _row(i, pk, iccid):
    ref = f"NR-{pk:06d}" if i % 2 == 0 else iccid
    if i % 10 == 0:
        return f"{ref},Done,,Barred at the network\n"  # the suspensions
    if i % 3 == 0:
        return f"{ref},Problem,sim_not_found,SIM not in our records\n"
    if i % 3 == 1:
        return f"{ref},In progress,,Taken by the provisioning team\n"
    return f"{ref},done,,Done\n"


def network_statuses(scale, stdout):
    from django.db import connection

    from connectivity import services
    from connectivity.models import NetworkRequest, Sim
    from connectivity.status_imports import SPEC
    from core.imports import engine

    n = rows_for(scale)
    network, user, rows, sample = _make(n, _sample_for(scale))
    tmp = tempfile.mkdtemp(prefix="bench-statuses-")
    path = os.path.join(tmp, "statuses.csv")
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write("Request,Status,Problem code,Note\n")
            for i, (pk, iccid) in enumerate(rows):
                f.write(_row(i, pk, iccid))
        size_mb = os.path.getsize(path) / 1048576
        started = time.perf_counter()
        ctx = engine.validate(SPEC, path, local_authority=None, user=user, filename="statuses.csv", prepared=path + ".prepared")
        check_s = time.perf_counter() - started
        assert ctx.ok, ctx.error_lines()[:5]
        engine.commit(SPEC, path, local_authority=None, user=user, filename="statuses.csv", prepared=path + ".prepared")
        ours = time.perf_counter() - started
        moved = NetworkRequest.objects.filter(network=network).exclude(status="requested").count()
        suspended = Sim.objects.filter(network=network, status=Sim.Status.SUSPENDED).count()
        assert moved == n, (moved, n)
        # The anchor: move_request per row, each request found by its reference or ICCID.
        started = time.perf_counter()
        for i, (pk, iccid) in enumerate(sample):
            ref, to_status, problem, note = _row(i, pk, iccid).strip().split(",")
            if ref.startswith("NR-"):
                request = NetworkRequest.objects.get(network=network, pk=int(ref[3:]))
            else:
                request = NetworkRequest.objects.open().get(network=network, sim__iccid=ref)
            code = {"done": "done", "in progress": "in_progress", "problem": "problem"}[to_status.lower()]
            services.move_request(request=request, to_status=code, problem=problem, note=note, by=user)
        sample_s = time.perf_counter() - started
        anchor = sample_s * n / len(sample)
        stdout.write(
            f"  network_statuses: {n:,} rows ({size_mb:.1f} MB) checked in {check_s:.2f} s, checked again and applied: "
            f"{ours:.2f} s in all on {connection.vendor}; {suspended:,} SIMs suspended; move_request per row: "
            f"{sample_s:.2f} s for {len(sample)} rows, {anchor:.1f} s scaled to {n:,}"
        )
        return Result("network_statuses", ours, anchor, {"rows": n, "check_s": round(check_s, 3), "sample": len(sample),
                                                         "sample_s": round(sample_s, 3), "suspended": suspended})
    finally:
        for p in (path, path + ".prepared"):
            if os.path.exists(p):
                os.remove(p)
        os.rmdir(tmp)
        _clean()


SCENARIOS = [network_statuses]
