"""Writes for guides: staff editing, the family's readings and answers, and loading the
shipped content.

The family's readings are remembered in their session (``SESSION_KEY``: guide id -> reading
id) so a second view of the same guide, the answer to "Did this solve it?" and a ticket raised
afterwards all land on the same row. Nothing personal is stored on the row.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from guides.models import Guide, GuideReading, GuideText, Helped

SESSION_KEY = "guides_readings"
#: Readings remembered per session; older ones fall off (and can no longer be marked).
SESSION_LIMIT = 20


def _session_readings(request):
    value = request.session.get(SESSION_KEY)
    return dict(value) if isinstance(value, dict) else {}


@transaction.atomic
def create_guide(*, slug, problem, device_kind="", device_make="", device_model="", is_published=True, order=100, by=None):
    """A new guide (texts are added with ``save_text``). Raises ValidationError."""
    guide = Guide(
        slug=slug, problem=problem, device_kind=device_kind, device_make=device_make.strip(),
        device_model=device_model.strip(), is_published=is_published, order=order,
    )
    guide.full_clean()
    guide.save()
    return guide


@transaction.atomic
def update_guide(*, guide, by=None, **fields):
    """Change a guide's settings (problem, device, published, order)."""
    allowed = {"slug", "problem", "device_kind", "device_make", "device_model", "is_published", "order"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"unknown guide fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(guide, name, value.strip() if isinstance(value, str) else value)
    guide.full_clean()
    guide.save()
    return guide


@transaction.atomic
def save_text(*, guide, language, title, summary, body, by=None):
    """Create or replace one language's text of a guide. ``language`` must be in
    ``settings.LANGUAGES``. Saving marks the text as changed now (so translations older
    than a changed English text show as stale)."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(f"Unknown language {language!r}.")
    text = GuideText.objects.select_for_update().filter(guide=guide, language=language).first()
    if text is None:
        text = GuideText(guide=guide, language=language)
    text.title, text.summary, text.body = title.strip(), summary.strip(), body.strip()
    text.updated_at = timezone.now()
    text.updated_by = by if by is not None and by.is_authenticated else None
    text.full_clean()
    text.save()
    return text


def record_reading(*, request, guide, language):
    """A family opened a guide: one reading per guide per session (a reload is not counted
    twice). Returns the reading."""
    readings = _session_readings(request)
    reading_id = readings.get(str(guide.pk))
    reading = GuideReading.objects.filter(pk=reading_id, guide=guide).first() if isinstance(reading_id, int) else None
    if reading is None:
        reading = GuideReading.objects.create(guide=guide, language=language)
        readings[str(guide.pk)] = reading.pk
        if len(readings) > SESSION_LIMIT:
            readings = dict(list(readings.items())[-SESSION_LIMIT:])
        request.session[SESSION_KEY] = readings
    return reading


def record_answer(*, request, guide, language, helped):
    """The family's answer to "Did this solve it?" on the reading of this session (a new
    reading when the session has none, e.g. cookies blocked)."""
    if helped not in (Helped.YES, Helped.NO):
        raise ValidationError("helped must be yes or no")
    reading = record_reading(request=request, guide=guide, language=language)
    GuideReading.objects.filter(pk=reading.pk).update(helped=helped)
    reading.helped = helped
    return reading


def note_ticket_raised(request):
    """The family's help form created a ticket: the guides read in this session did not
    solve it. Called by ``support.views.HelpFormView.form_valid``; safe when nothing was read."""
    readings = _session_readings(request)
    ids = [pk for pk in readings.values() if isinstance(pk, int)]
    if ids:
        GuideReading.objects.filter(pk__in=ids).update(ticket_raised=True)
    if SESSION_KEY in request.session:
        del request.session[SESSION_KEY]
    return len(ids)


def load_content(*, guide_model=Guide, text_model=GuideText, stdout=None):
    """Create the shipped guides and texts (``guides.content``) that do not exist yet.

    Safe to run again: an existing guide (matched by slug) keeps its settings, an existing
    text (guide and language) keeps its words, so staff edits are never overwritten; only
    what is missing is added. Used by migration 0002 (with the historical models) and by
    ``manage.py load_guides``. Returns (guides created, texts created)."""
    from guides.content import GUIDES, TEXTS

    now = timezone.now()
    guides_made = texts_made = 0
    with transaction.atomic():
        for spec in GUIDES:
            guide, created = guide_model.objects.get_or_create(
                slug=spec["slug"],
                defaults={k: v for k, v in spec.items() if k != "slug"},
            )
            guides_made += created
            have = set(text_model.objects.filter(guide=guide).values_list("language", flat=True))
            new = []
            for language, texts in TEXTS.items():
                if language in have or spec["slug"] not in texts:
                    continue
                title, summary, steps = texts[spec["slug"]]
                new.append(text_model(
                    guide=guide, language=language, title=title, summary=summary, body="\n".join(steps), updated_at=now,
                ))
            if text_model is GuideText:
                bulk_create_with_history(new, GuideText)
            else:  # the historical model of a migration has no history manager
                text_model.objects.bulk_create(new)
            texts_made += len(new)
    if stdout is not None:
        stdout.write(f"guides: {guides_made} guides and {texts_made} texts created")
    return guides_made, texts_made
