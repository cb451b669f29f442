"""Publishing London's suppressed figures: request, attempt, retry, give up.

Lifecycle (``TRANSITIONS``): a publication is ``queued`` when requested; an attempt moves it to
``published``, or to ``retrying`` (with ``next_attempt_at`` after a doubling back-off) while
attempts remain, or to ``failed`` after ``PUBLISHING_MAX_ATTEMPTS``. ``published`` and
``failed`` are final; publishing again is a new publication (a new record, the same rules).

The files are built once, when requested, and stored on the record, so every attempt sends the
same bytes whose SHA-256 the record shows.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from publishing import files as published_files
from publishing.drivers import driver_name, get_driver
from publishing.drivers.base import File, PermanentFailure, TemporaryFailure
from publishing.models import Publication

logger = logging.getLogger("publishing")

S = Publication.Status
TRANSITIONS = {
    S.QUEUED: {S.PUBLISHED, S.RETRYING, S.FAILED},
    S.RETRYING: {S.PUBLISHED, S.RETRYING, S.FAILED},
    S.PUBLISHED: set(),
    S.FAILED: set(),
}


def max_attempts():
    return max(1, int(getattr(settings, "PUBLISHING_MAX_ATTEMPTS", 5)))


def backoff(attempts):
    """Wait after the ``attempts``-th failure: 5, 10, 20, 40 … minutes, at most a day."""
    base = int(getattr(settings, "PUBLISHING_RETRY_MINUTES", 5))
    return timedelta(minutes=min(base * 2 ** (attempts - 1), 24 * 60))


def _move(publication, to):
    if to not in TRANSITIONS[publication.status]:
        raise ValidationError(_("A publication that is %(state)s cannot become %(to)s.") % {"state": publication.get_status_display(), "to": S(to).label})
    publication.status = to


def month_of(day):
    return day.replace(day=1)


def request_publication(*, by=None, today=None):
    """Build this month's files from the London view's suppressed table and queue them.

    ``by``: the London lead or admin who pressed the button (``None``: the schedule). The first
    attempt runs in the background once the record is committed."""
    if by is not None and not (by.is_superuser or by.role in ("admin", "london_lead")):
        raise ValidationError(_("Only the London lead or an administrator can publish London's figures."))
    as_at = today or timezone.localdate()
    period = month_of(as_at)
    built = published_files.build(period, as_at)
    with transaction.atomic():
        publication = Publication.objects.create(
            period=period, as_at=as_at, driver=driver_name(), requested_by=by,
            csv_text=built.csv_text, schema_json=built.schema_text, metadata_json=built.metadata_text,
            csv_sha256=published_files.sha256(built.csv_text), schema_sha256=published_files.sha256(built.schema_text),
            rows=built.rows, suppressed_cells=built.suppressed_cells,
        )
    from publishing.tasks import attempt

    transaction.on_commit(lambda: attempt.enqueue(publication.pk))
    return publication


def files_of(publication):
    return [
        File(publication.csv_filename, publication.csv_text.encode("utf-8"), "text/csv",
             f"London devices for children {publication.period:%Y-%m} (CSV)",
             getattr(settings, "PUBLISHING_DATAPRESS_CSV_RESOURCE", "")),
        File(publication.schema_filename, publication.schema_json.encode("utf-8"), "application/json",
             f"London devices for children {publication.period:%Y-%m} (Table Schema)",
             getattr(settings, "PUBLISHING_DATAPRESS_SCHEMA_RESOURCE", "")),
    ]


def attempt_publication(*, publication_id, now=None):
    """One attempt: send every file then the metadata through the configured driver; record
    the answer. A failure schedules the next attempt or, after the last, marks it failed (the
    London lead's home card and the publications page show it). Returns the publication.

    The row is locked for the attempt, so two workers never send the same publication at once;
    a publication that is already final is left alone."""
    import json

    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication_id)
        if publication.status not in (S.QUEUED, S.RETRYING):
            return publication
        now = now or timezone.now()
        publication.attempts += 1
        try:
            result = get_driver(publication.driver).publish(files_of(publication), json.loads(publication.metadata_json))
        except (TemporaryFailure, PermanentFailure) as exc:
            kind = _("temporary") if isinstance(exc, TemporaryFailure) else _("refused")
            publication.last_error = f"{kind}: {exc.reason}"[:300]
            publication.provider_answer = exc.reason
            if publication.attempts >= max_attempts():
                _move(publication, S.FAILED)
                publication.next_attempt_at = None
                # The alert for whoever watches the logs; the London lead's home card says it too.
                logger.error("London Datastore publication %s failed after %s attempts: %s", publication.pk, publication.attempts, publication.last_error)
            else:
                _move(publication, S.RETRYING)
                publication.next_attempt_at = now + backoff(publication.attempts)
                logger.warning("London Datastore publication %s attempt %s failed (%s); next at %s", publication.pk, publication.attempts,
                               publication.last_error, publication.next_attempt_at.isoformat())
        else:
            _move(publication, S.PUBLISHED)
            publication.published_at = now
            publication.next_attempt_at = None
            publication.last_error = ""
            publication.provider_answer = result.answer[:4000]
        publication.save()
    return publication


def retry_due(*, now=None):
    """Attempt every publication whose next attempt is due; how many were attempted."""
    now = now or timezone.now()
    ids = list(Publication.objects.due_for_retry(now).values_list("pk", flat=True))
    for pk in ids:
        attempt_publication(publication_id=pk, now=now)
    return len(ids)


def publish_month_if_due(*, today=None):
    """The monthly schedule: publish this month's figures unless this month has a publication
    already (whatever its status). Returns the new publication or ``None``."""
    as_at = today or timezone.localdate()
    if Publication.objects.filter(period=month_of(as_at)).exists():
        # Once a month: a failed one stays failed (and shown); the London lead publishes again.
        return None
    return request_publication(by=None, today=as_at)


def latest():
    return Publication.objects.order_by("-requested_at", "-pk").first()
