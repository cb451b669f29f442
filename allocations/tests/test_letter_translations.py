"""The family letters, and every other family-facing string, in every family language (each
code of settings.LANGUAGES but English).

Two kinds of check: the handover and ownership letters really render in the family's language
(right to left for Urdu, Arabic, Farsi and Pashto), and no family-facing message is left
untranslated or fuzzy in any catalogue (Django ignores fuzzy entries, so a family would see English).
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from allocations import services
from allocations.tests.factories import ChildFactory, complete_readiness
from devices.models import DeviceKind, DeviceStatus
from devices.tests.factories import DeviceFactory

FAMILY_LANGUAGES = tuple(code for code, _name in settings.LANGUAGES if code != "en")
RTL = {"ur", "ar", "fa", "ps"}
#: Plural forms per catalogue (gettext's, or Django's own catalogue's where it has one); 2 unless listed.
NPLURALS = {"pl": 3, "ar": 6, "ro": 3, "lt": 4, "zh-hans": 1, "vi": 1}

# Known translations, written here rather than read from the catalogue: "Your child's device",
# "This device now belongs to your family" and "Serial number".
HANDOVER_TITLE = {
    "pl": "Urządzenie Państwa dziecka",
    "bn": "আপনার সন্তানের ডিভাইস",
    "ur": "آپ کے بچے کا آلہ",
    "so": "Qalabka ilmahaaga",
    "ar": "جهاز طفلك",
    "tr": "Çocuğunuzun cihazı",
    "ro": "Dispozitivul copilului dumneavoastră",
    "pt": "O aparelho do seu filho ou da sua filha",
    "es": "El dispositivo de su hijo o hija",
    "gu": "તમારા બાળકનું ઉપકરણ",
    "ta": "உங்கள் பிள்ளையின் சாதனம்",
    "pa": "ਤੁਹਾਡੇ ਬੱਚੇ ਦੀ ਡਿਵਾਈਸ",
    "ti": "መሳርሒ ውላድኩም",
    "ps": "ستاسو د ماشوم وسیله",
    "fa": "دستگاه فرزند شما",
    "zh-hans": "您孩子的设备",
    "sq": "Pajisja e fëmijës suaj",
    "lt": "Jūsų vaiko įrenginys",
    "fr": "L’appareil de votre enfant",
    "it": "Il dispositivo di suo figlio o di sua figlia",
    "vi": "Thiết bị của con quý vị",
    "hi": "आपके बच्चे का डिवाइस",
}
OWNERSHIP_TITLE = {
    "pl": "To urządzenie należy teraz do Państwa rodziny",
    "bn": "এই ডিভাইসটি এখন আপনার পরিবারের",
    "ur": "یہ آلہ اب آپ کے خاندان کی ملکیت ہے",
    "so": "Qalabkan hadda waxaa iska leh qoyskaaga",
    "ar": "أصبح هذا الجهاز الآن ملكًا لعائلتك",
    "tr": "Bu cihaz artık ailenize ait",
    "ro": "Acest dispozitiv aparține acum familiei dumneavoastră",
    "pt": "Este aparelho pertence agora à sua família",
    "es": "Este dispositivo ahora pertenece a su familia",
    "gu": "આ ઉપકરણ હવે તમારા પરિવારનું છે",
    "ta": "இந்தச் சாதனம் இப்போது உங்கள் குடும்பத்திற்குச் சொந்தமானது",
    "pa": "ਇਹ ਡਿਵਾਈਸ ਹੁਣ ਤੁਹਾਡੇ ਪਰਿਵਾਰ ਦੀ ਹੈ",
    "ti": "እዚ መሳርሒ ሕጂ ናይ ስድራኹም እዩ",
    "ps": "دا وسیله اوس ستاسو د کورنۍ ده",
    "fa": "این دستگاه اکنون متعلق به خانوادهٔ شماست",
    "zh-hans": "此设备现在归您家所有",
    "sq": "Kjo pajisje tani i përket familjes suaj",
    "lt": "Šis įrenginys dabar priklauso jūsų šeimai",
    "fr": "Cet appareil appartient maintenant à votre famille",
    "it": "Questo dispositivo ora appartiene alla sua famiglia",
    "vi": "Thiết bị này giờ đây thuộc về gia đình quý vị",
    "hi": "यह डिवाइस अब आपके परिवार का है",
}
SERIAL_LABEL = {
    "pl": "Numer seryjny",
    "bn": "সিরিয়াল নম্বর",
    "ur": "سیریل نمبر",
    "so": "Lambarka taxanaha",
    "ar": "الرقم التسلسلي",
    "tr": "Seri numarası",
    "ro": "Număr de serie",
    "pt": "Número de série",
    "es": "Número de serie",
    "gu": "સીરીયલ નંબર",
    "ta": "வரிசை எண்",
    "pa": "ਸੀਰੀਅਲ ਨੰਬਰ",
    "ti": "ሲርያል ቁጽሪ",
    "ps": "سریال شمېره",
    "fa": "شمارهٔ سریال",
    "zh-hans": "序列号",
    "sq": "Numri serial",
    "lt": "Serijos numeris",
    "fr": "Numéro de série",
    "it": "Numero di serie",
    "vi": "Số sê-ri",
    "hi": "सीरियल नंबर",
}


def sections(html):
    return re.findall(r'<section class="app-letter__section" lang="([a-z-]+)" dir="(rtl|ltr)"[^>]*>(.*?)</section>', html, re.S)


def letter_for(client, officer, school, lang, *, ownership=False):
    child = ChildFactory(school=school, first_name="Amani", preferred_language=lang)
    device = DeviceFactory(local_authority=child.local_authority, status=DeviceStatus.IN_STOCK, serial=f"LT-{lang.upper()}-9")
    allocation = services.allocate(child=child, device=device, by=officer)
    allocation = services.hand_over(allocation=allocation, on=timezone.localdate(), handed_over_by="Ms T", received_by="Mr P", by=officer)
    if ownership:
        complete_readiness(allocation, officer)
        services.transfer_ownership(allocation=allocation, by=officer, on=timezone.localdate())
    client.force_login(officer)
    kind = "ownership" if ownership else "handover"
    response = client.get(reverse("allocations:allocation_letter", args=[allocation.pk]) + f"?kind={kind}")
    assert response.status_code == 200
    return sections(response.content.decode())


def test_family_languages_are_every_language_but_english_and_rtl_matches_settings():
    assert len(FAMILY_LANGUAGES) == len(settings.LANGUAGES) - 1 >= 22
    assert RTL == {code for code in FAMILY_LANGUAGES if translation.get_language_info(code)["bidi"]}
    assert RTL <= set(settings.LANGUAGES_BIDI)
    assert set(HANDOVER_TITLE) == set(OWNERSHIP_TITLE) == set(SERIAL_LABEL) == set(FAMILY_LANGUAGES)


@pytest.mark.parametrize("lang", FAMILY_LANGUAGES)
def test_handover_letter_in_family_language(client, officer, school, lang):
    found = letter_for(client, officer, school, lang)
    direction = "rtl" if lang in RTL else "ltr"
    assert [(code, d) for code, d, _ in found] == [(lang, direction), ("en", "ltr")]
    family, english = found[0][2], found[1][2]
    assert HANDOVER_TITLE[lang] in family
    assert SERIAL_LABEL[lang] in family
    assert "child&#x27;s device" not in family and "child's device" not in family
    assert "Amani" in family and f"LT-{lang.upper()}-9" in family
    # English stays beside it, in English.
    assert HANDOVER_TITLE[lang] not in english
    assert "device" in english


@pytest.mark.parametrize("lang", FAMILY_LANGUAGES)
def test_ownership_letter_in_family_language(client, officer, school, lang):
    found = letter_for(client, officer, school, lang, ownership=True)
    family = found[0][2]
    assert found[0][:2] == (lang, "rtl" if lang in RTL else "ltr")
    assert OWNERSHIP_TITLE[lang] in family
    assert "This device now belongs to your family" not in family


# --- Catalogue completeness -------------------------------------------------------------------

LOCALE = Path(settings.BASE_DIR) / "locale"

#: Templates a family sees (the letters, the help pages, their e-mails, the page furniture and
#: the error pages): every msgid referenced from them must be translated.
FAMILY_TEMPLATES = re.compile(
    r"^templates/("
    r"allocations/(letter|_letter_body)\.html|campaigns/letter\.html"
    r"|support/(family_[a-z_]+|help_[a-z_]+|find_[a-z_]+|_errors|_honeypot)\.html"
    r"|messaging/[a-z_]+\.(sms|email|subject|letter)\.txt|messaging/_signoff\.txt"
    r"|base\.html|core/forms/_file_upload\.html"
    r"|(400|403|404|503)\.html"
    r"):\d+$"
)

#: Strings from Python a family sees: the service name, page titles and messages of the family views.
FAMILY_VIEW_STRINGS = (
    "Devices for Children",  # the service name in the header of every family page and e-mail
    "Too many requests",
    "Thank you",
    "Get help with a device",
    "We have your reply.",
    "Your request %(ref)s",
    "The file must be a photo (JPEG, PNG or WebP) or a PDF.",
    "The file must be smaller than %(mb)s MB.",
    "This PDF contains active content (such as scripts or embedded files), so we cannot accept it. "
    "Save or print it again as a plain PDF, or send a photo of it instead.",
    "Find your request",
    "Enter your code",
    "This code is wrong or has expired. Check it, or ask for a new code.",
    # The handover acceptance's family section (templates/allocations/handover.html and its PDF,
    # allocations/acceptance.py), shown in the family's language beside English.
    "What you received today",
    "The items ticked above.",
    "I have received the items listed above. I will look after them and follow the rules in this letter.",
    "Signed by the parent or carer",
)


ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def unquote(parts):
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), "".join(parts))


def parse_po(path):
    """A small .po reader: a list of entries with msgctxt, msgid, msgstrs, flags and references."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry = {"refs": [], "flags": set(), "fields": {}}
        current = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry = None  # obsolete: not used
                break
            if line.startswith("#:"):
                entry["refs"] += line[2:].split()
            elif line.startswith("#,"):
                entry["flags"] |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry["fields"][current].append(line[1:-1])
            elif line.strip():
                current, rest = line.split(" ", 1)
                entry["fields"][current] = [rest.strip()[1:-1]]
        if entry and "msgid" in entry["fields"]:
            fields = {k: unquote(v) for k, v in entry["fields"].items()}
            entries.append({
                "msgctxt": fields.get("msgctxt"),
                "msgid": fields["msgid"],
                "msgstrs": [v for k, v in fields.items() if k.startswith("msgstr")],
                "fuzzy": "fuzzy" in entry["flags"],
                "refs": entry["refs"],
            })
    return entries


def family_python_msgids():
    """(msgctxt, msgid) pairs of the family forms, device kinds, ticket categories and statuses."""
    from support.forms import AccessCodeForm, FamilyHelpForm, FamilyReplyForm, FindTicketForm
    from support.models import Category, Status

    wanted = {(None, s) for s in FAMILY_VIEW_STRINGS}
    with translation.override(None):
        wanted |= {(None, str(label)) for label in DeviceKind.labels}
        from allocations.models import KitItem

        wanted |= {(None, str(label)) for label in KitItem.labels}  # the acceptance's kit list
        wanted |= {(None, str(label)) for label in Category.labels}
        wanted |= {("ticket status", str(label)) for label in Status.labels}
        for form in (FamilyHelpForm, FamilyReplyForm, FindTicketForm, AccessCodeForm):
            for field in form.base_fields.values():
                texts = [field.label, field.help_text, *field.error_messages.values()]
                wanted |= {(None, str(t)) for t in texts if t}
    return wanted


@pytest.mark.parametrize("lang", FAMILY_LANGUAGES)
def test_no_family_facing_msgid_left_untranslated(lang):
    entries = parse_po(LOCALE / translation.to_locale(lang) / "LC_MESSAGES" / "django.po")
    header = next(e for e in entries if e["msgid"] == "" and e["msgctxt"] is None)
    assert not header["fuzzy"], "a fuzzy header is ignored by some tools"
    assert f"Language: {translation.to_locale(lang)}\n" in header["msgstrs"][0]
    nplurals = int(re.search(r"nplurals=(\d+)", header["msgstrs"][0]).group(1))
    assert nplurals == NPLURALS.get(lang, 2)

    python_msgids = family_python_msgids()
    by_key = {(e["msgctxt"], e["msgid"]): e for e in entries if e["msgid"]}
    # Django's own catalogue covers its default form errors; ours must hold the rest.
    ours = {key for key in python_msgids if key in by_key}
    assert ours >= {(None, "Laptop"), (None, "Tablet"), (None, "4G router or dongle"), ("ticket status", "Open"), (None, "Your name")}

    family = [e for e in by_key.values() if any(FAMILY_TEMPLATES.match(r) for r in e["refs"])]
    family += [by_key[key] for key in ours]
    assert len(family) > 80
    problems = []
    for entry in family:
        if entry["fuzzy"] or not all(entry["msgstrs"]):
            problems.append(entry["msgid"])
            continue
        placeholders = sorted(re.findall(r"%\(\w+\)s", entry["msgid"]))
        if any(sorted(re.findall(r"%\(\w+\)s", s)) != placeholders for s in entry["msgstrs"]):
            problems.append(f"placeholders differ: {entry['msgid']}")
    assert problems == [], f"{lang}: {len(problems)} family-facing messages not translated: {problems[:10]}"
