"""Column headings as people write them: normalised matching, and why each column was (not) used.

Two keys are compared:

- ``header_key`` (readers.py): case, accents, spaces and punctuation ignored
  ("Serial No." == "serialno").
- ``match_key``: words, with the ways councils, schools, suppliers and networks abbreviate
  folded together and the order of the words ignored: "No."/"Num"/"#" are "number",
  "Ref" is "reference", "Tel"/"Telephone" are "phone", "/" "&" "+" and "and" are "or", a
  question mark, "(optional)", "the" and "of" count for nothing. So "Parent/Carer Tel No." ==
  "Phone number of parent or carer" and "Child Ref" == "Reference (child)".

``describe_columns`` lists every column of a sheet with the field it went to and why, or
"not used" and why; a column whose name suggests a field we have but that was not taken is a
``warning`` (the mapping page and the commands show it before any dry run).
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

#: one word -> the word it means (after casefolding and removing accents)
SYNONYMS = {
    "no": "number", "num": "number", "nbr": "number", "nr": "number", "numb": "number", "#": "number", "nos": "number", "numbers": "number",
    "ref": "reference", "refs": "reference", "references": "reference", "reference": "reference",
    "tel": "phone", "telephone": "phone", "ph": "phone", "phones": "phone", "tele": "phone",
    "mob": "mobile", "mobiles": "mobile", "cell": "mobile",
    "yr": "year", "yrs": "year", "grp": "group",
    "dob": "birth", "d.o.b": "birth",
    "ser": "serial", "serials": "serial", "sn": "serial",
    "addr": "address", "email": "email", "e-mail": "email", "emails": "email", "mail": "email",
    "parents": "parent", "carers": "carer", "guardians": "guardian", "children": "child", "pupils": "pupil",
    "student": "pupil", "students": "pupil", "learner": "pupil", "learners": "pupil",
    "and": "or", "&": "or", "/": "or", "+": "or",
    "dt": "date", "dates": "date", "devices": "device", "laptops": "laptop", "dongles": "dongle", "routers": "router",
    "qty": "quantity", "desc": "description", "est": "establishment", "estab": "establishment",
    "mfr": "manufacturer", "manuf": "manufacturer", "mno": "network", "lang": "language",
    "handover": "handed over", "handedover": "handed over", "issued": "handed over",
    "surname": "surname", "forename": "forename", "firstname": "first name", "lastname": "last name",
    "iccid": "iccid", "imei": "imei", "msisdn": "msisdn", "urn": "urn", "upn": "upn",
}
#: words that say nothing about what a column holds
STOP_WORDS = {"the", "of", "a", "an", "s", "to", "if", "any", "please", "eg", "e", "g", "etc", "optional", "required", "mandatory", "is", "are", "this", "your", "our", "in", "on", "at", "for", "by"}
#: words kept for matching but too common to suggest a field on their own
GENERIC_WORDS = {
    "date", "name", "number", "reference", "id", "type", "year", "from", "to", "order", "product", "status", "notes", "note",
    "contact", "school", "child", "pupil", "device", "details", "code", "or", "first", "last", "full", "data", "la", "local", "authority",
}
# "by" is a stop word except in "handed over by" / "paid by" / "funded by": kept when it ends the heading
_KEEP_TRAILING = {"by", "to", "from", "on"}


def _fold(text) -> str:
    folded = unicodedata.normalize("NFKD", str(text or "").casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def words(text) -> list:
    """The heading's meaningful words, abbreviations expanded, in their original order."""
    raw = _fold(text)
    raw = raw.replace("'s ", " ").replace("’s ", " ")
    if raw.endswith(("'s", "’s")):
        raw = raw[:-2]
    raw = re.sub(r"([/&+#])", r" \1 ", raw)
    raw = raw.replace("e-mail", "email").replace("d.o.b", "dob").replace("s/n", "serial")
    tokens = [t for t in re.split(r"[^0-9a-z/&+#]+", raw) if t]
    out = []
    for i, t in enumerate(tokens):
        t = SYNONYMS.get(t, t)
        last = i == len(tokens) - 1
        for part in t.split():
            if part in STOP_WORDS and not (last and part in _KEEP_TRAILING and out):
                continue
            out.append(part)
    # "number" carried by "No." on its own after another word is kept; a leading/trailing "or" is noise
    while out and out[0] == "or":
        out.pop(0)
    while out and out[-1] == "or":
        out.pop()
    return out


def match_key(text) -> str:
    """'Parent/Carer Tel. No.' -> 'carer number or parent phone' (sorted words)."""
    return " ".join(sorted(set(words(text))))


# --------------------------------------------------------------------------- explaining a mapping


def _field_keys(f):
    from core.imports.readers import header_key

    names = (f.name.replace("_", " "), str(f.label), *f.aliases)
    return {header_key(n) for n in names} - {""}, {match_key(n) for n in names} - {""}, names


def how_matched(f, header, remembered=None):
    """Why ``header`` is (or would be) taken for field ``f``: a short code, or None."""
    from core.imports.readers import header_key

    if remembered and remembered.get(f.name) == header:
        return "remembered"
    hkeys, mkeys, names = _field_keys(f)
    if header_key(header) in hkeys:
        return "name"
    if match_key(header) in mkeys:
        return "normalised"
    if contains_field(f, header):
        return "contains"
    return None


def contains_field(f, header):
    """How many words of the field's longest distinctive name the heading holds (0: none)."""
    have = set(words(header))
    best = 0
    for name in (f.name.replace("_", " "), str(f.label), *f.aliases):
        want = set(words(name))
        if want and want <= have and (len(want) >= 2 or not (want <= GENERIC_WORDS)):
            best = max(best, len(want))
    return best


def reason_text(code, f=None):
    return {
        "remembered": _("your council chose this column last time"),
        "name": _("its heading is a name we know for %(field)s"),
        "normalised": _("its heading means %(field)s (abbreviations, punctuation and word order ignored)"),
        "contains": _("its heading contains a name we know for %(field)s"),
        "chosen": _("chosen on this page"),
    }[code] % {"field": str(f.label) if f else ""}


def describe_columns(spec, headers, mapping, remembered=None):
    """One entry per column of the sheet, in sheet order.

    Each is a dict: ``number`` (1-based column), ``letter`` (A, B, ... AA), ``header``,
    ``field`` (the spec field it feeds, or None), ``reason`` (why, in words) and ``warning``
    (True when the officer must look: a column that looks like one of our fields but is not
    read, or a repeated heading).
    """
    by_header = {h: spec.field(name) for name, h in (mapping or {}).items() if spec.field(name)}
    first_index = {}
    out = []
    for i, h in enumerate(headers):
        entry = {"number": i + 1, "letter": column_letter(i + 1), "header": h, "field": None, "reason": "", "warning": False}
        if not h:
            entry["reason"] = _("Not used: the column has no heading.")
        elif h in first_index:
            entry["reason"] = _("Not used: column %(letter)s has the same heading and only that one is read. Rename one of them.") % {
                "letter": column_letter(first_index[h] + 1)
            }
            entry["warning"] = True
        elif h in by_header:
            f = by_header[h]
            entry["field"] = f
            code = how_matched(f, h, remembered) or "chosen"
            entry["reason"] = reason_text(code, f)
        else:
            suggested = [f for f in spec.fields if how_matched(f, h) is not None]
            if suggested:
                f = suggested[0]
                taken = (mapping or {}).get(f.name)
                if taken:
                    entry["reason"] = _("Not used, but its heading looks like %(field)s, which is read from the column “%(other)s”. Check which column is right.") % {
                        "field": f.label,
                        "other": taken,
                    }
                else:
                    entry["reason"] = _("Not used, but its heading looks like %(field)s. Choose it for %(field)s if it holds that.") % {"field": f.label}
                entry["warning"] = True
            else:
                entry["reason"] = _("Not used: we do not import this information.")
        if h:
            first_index.setdefault(h, i)
        out.append(entry)
    return out


def column_letter(n):
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters
