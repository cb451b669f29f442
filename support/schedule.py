from datetime import timedelta

from core.scheduler import Job

JOBS = [Job("sla_escalation", "support.tasks.escalate_sla_breaches", timedelta(minutes=15))]
