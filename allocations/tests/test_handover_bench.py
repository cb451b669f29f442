"""The handover benchmark scenarios run end to end on a little data."""

import io

from allocations.tests.factories import ChildFactory
from benchmarks import Result
from benchmarks.handover import SCENARIOS, acceptance_pdf, device_picker
from devices.models import DeviceStatus
from devices.tests.factories import DeviceFactory


def test_handover_scenarios(school):
    assert SCENARIOS == [device_picker, acceptance_pdf]
    ChildFactory(school=school)
    for n in range(30):
        DeviceFactory(local_authority=school.local_authority, status=DeviceStatus.IN_STOCK if n % 2 else DeviceStatus.IN_REPAIR,
                      serial=f"SYN{n:09d}")
    picker = device_picker("tiny", io.StringIO())
    assert isinstance(picker, Result) and picker.extra["listed"] == 15 and picker.ours_s > 0
    pdf = acceptance_pdf("tiny", io.StringIO())
    assert pdf.extra["languages"] == "ur,en" and pdf.line().startswith("BENCH acceptance_pdf ours_s=")
