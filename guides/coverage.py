"""Translation coverage: for each guide and each language of ``settings.LANGUAGES``, whether
the guide has a text (translated), has none (missing: families see the English), or has one
older than the English text (stale: the English has changed since it was translated)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from guides.models import GuideText

TRANSLATED, STALE, MISSING = "translated", "stale", "missing"
STATUS_LABELS = {TRANSLATED: _("Translated"), STALE: _("Out of date"), MISSING: _("Missing")}


def status_of(text, english):
    if text is None:
        return MISSING
    if english is not None and text.language != "en" and english.updated_at > text.updated_at:
        return STALE
    return TRANSLATED


def coverage(guides, texts=None):
    """{"languages": [...], "rows": [{"guide", "cells": [...]}], "totals": [...]} for
    ``guides`` in one query (none when ``texts`` are given)."""
    guides = list(guides)
    if texts is None:
        texts = GuideText.objects.filter(guide__in=[g.pk for g in guides]).only("pk", "guide_id", "language", "updated_at")
    by_guide = {}
    for text in texts:
        by_guide.setdefault(text.guide_id, {})[text.language] = text
    languages = [{"code": code, "name": name, "dir": "rtl" if code in settings.LANGUAGES_BIDI else "ltr"} for code, name in settings.LANGUAGES]
    totals = {lang["code"]: {TRANSLATED: 0, STALE: 0, MISSING: 0} for lang in languages}
    rows = []
    for guide in guides:
        have = by_guide.get(guide.pk, {})
        cells = []
        for lang in languages:
            text = have.get(lang["code"])
            status = status_of(text, have.get("en"))
            totals[lang["code"]][status] += 1
            cells.append({**lang, "status": status, "label": STATUS_LABELS[status], "text": text})
        rows.append({"guide": guide, "cells": cells})
    total_rows = []
    for lang in languages:
        counts = totals[lang["code"]]
        percent = round(100 * counts[TRANSLATED] / len(guides)) if guides else 100
        total_rows.append({**lang, **counts, "percent": percent})
    return {"languages": languages, "rows": rows, "totals": total_rows, "guide_count": len(guides)}
