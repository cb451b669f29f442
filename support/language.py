"""Offline language detection for ticket text: ``detect_language(text) -> code or ""``.

Text never leaves the server (so it is safe for safeguarding concerns too; there is no
translation service). The answer routes a ticket to an agent who speaks the language, so a
near miss inside one spoken language (Urdu/Hindi) is acceptable and a guess on too little
text is not: "" means "unknown, ask a person". Three stages, cheapest first:

1. **Script.** Most of our languages have a script of their own: Ethiopic is Tigrinya (the only
   Ethiopic-script language in settings), Devanagari Hindi, Gurmukhi Punjabi, Gujarati,
   Bengali, Tamil, Han characters Chinese. Arabic script is shared by Urdu, Farsi/Dari, Pashto
   and Arabic: letters only Pashto uses (ټ ډ ړ ږ ښ ګ ڼ ې ۍ ځ څ) mean Pashto (lingua has no
   Pashto), letters only Urdu uses (ٹ ڈ ڑ ں ے ھ) mean Urdu, and lingua decides between Urdu,
   Farsi and Arabic for the rest.
2. **Latin letters typed on a phone** (no lingua model covers these):
   - *Romanised South Asian text* ("mera laptop kaam nahi kar raha", "amar laptop kaj korche
     na", "menu madad chahidi hai") is scored with lists of frequent romanised function words
     and verbs per language (``ROMAN_WORDS``). Urdu and Hindi are one spoken language with
     different scripts, and romanised they are nearly identical: we return **"ur"** for the
     Urdu/Hindi continuum (more of London's families using this service write Urdu), and
     **"hi"** only when a Hindi-only word appears (``kripya``, ``dhanyavad``, ``samasya`` ...)
     and no Urdu-only one (``shukriya``, ``meherbani`` ...). Either way an agent who speaks
     Hindustani can answer.
   - *Somali* is scored the same way (``SOMALI_WORDS``, plus its endings such as ``-ka``,
     ``-aday``, ``-ayo``): lingua misses short phone-typed Somali ("fadlan i caawi").
   A list wins with at least two points (and a third of the message's words) and more than any
   other list; words that are also English or other languages' ("main", "par", "nu") count
   half. Text that is clearly romanised South Asian or Somali but whose language is not in
   settings gives "" rather than a guess.
3. **lingua-language-detector** for everything else, restricted to the Latin-script (or
   Arabic-script) languages of ``settings.LANGUAGES``. Text in a script none of our languages
   uses (Cyrillic, Greek, Hangul ...) gives "": no agent would be the right one anyway. The detectors are built once per set of
   languages and kept; a call costs a few milliseconds at most.

A new language: add its lingua name to ``LINGUA_NAMES`` (or a script rule where lingua lacks
it), and a few phone-typed messages to ``support/tests/test_language.py``.
"""

import re
import unicodedata
from functools import lru_cache

from django.conf import settings

# Our code -> lingua Language name.
LINGUA_NAMES = {
    "en": "ENGLISH", "pl": "POLISH", "bn": "BENGALI", "ur": "URDU", "so": "SOMALI", "ar": "ARABIC",
    "tr": "TURKISH", "ro": "ROMANIAN", "pt": "PORTUGUESE", "es": "SPANISH", "gu": "GUJARATI",
    "ta": "TAMIL", "pa": "PUNJABI", "fa": "PERSIAN", "zh-hans": "CHINESE", "sq": "ALBANIAN",
    "lt": "LITHUANIAN", "fr": "FRENCH", "it": "ITALIAN", "vi": "VIETNAMESE", "hi": "HINDI",
}
#: Languages lingua lacks, recognised by rules below.
RULE_CODES = {"ti", "ps"}

#: Scripts (the first word of a character's Unicode name) that belong to one of our languages.
SCRIPT_CODES = {
    "ETHIOPIC": "ti", "DEVANAGARI": "hi", "GURMUKHI": "pa", "GUJARATI": "gu", "BENGALI": "bn",
    "TAMIL": "ta", "CJK": "zh-hans",
}
ARABIC_SCRIPT_CODES = ("ur", "fa", "ar", "ps")
PASHTO_LETTERS = set("ټډړږښګڼېۍځڅ")
URDU_LETTERS = set("ٹڈڑںےۓھ")

#: Romanised South Asian words, scored per language: "hu" is Hindustani (Urdu/Hindi), "shared"
#: counts towards every South Asian language (it only decides that the text is one of them).
ROMAN_WORDS = {
    "shared": """mera meri mere mujhe hai hain he hay hy ho nahi nahin nai nhi kar ka ki ke ko se bhi
        aur kya koi kuch abhi bahut bohat bohot khatam kharab madad theek thik sab ghar gaya gaye bhool bhul yaad""",
    "hu": """raha rahi rahe rha rhi rhe chahiye chahie chaiye chahye kaam karta karti karte sakta
        sakti sakte tha thi hua hui mein aap ap apna apni hum hamara humein kaise kyun kyu kab
        lekin wala wali yeh woh diya diye karo karein karen kijiye dijiye batao chalta chalti
        gayi gai gya gyi ab hoon hun beta beti bete bacha bache bachay bachche bachon liye naya nayi mil milega sakta toot tut
        kaha kahan""",
    "pa": """menu mainu mennu sanu saanu tuhanu tusi tussi assi asi chahidi chahida chaidi chaida
        karda kardi karde reha rehi raheya rahya hoya hoyi nu vich kithe kiven kive changa
        gal naal nal sada tuhada ohna ehna chalda chaldi lagda painda hunda hundi lod
        layi laee vaste dasso dassoge""",
    "bn": """amar amr amake amader ami apni apnar apnake tumi tomar kaj kaaj korche korchhe
        korchena kore korte korben korun hocche hochhe hoche hoyeche hoye geche gese gelo ache
        achhe ase nei keno kivabe kothay sahajjo sahajyo sahayya dorkar lagbe shesh sesh theke
        diye parchi parchhi parche pari chele chhele cheler chheler meye bondho kharap
        dhonnobad dhonyobad doya ekta kichu onek ektu bhalo valo bhenge sathe kotha bolte
        bolun chai meyer amra tomra hariye hariyeche gechhe koreche nosto noshto hoy hobe
        jonno er""",
}
#: Hindi-only and Urdu-only words that decide the code for Hindustani text.
HINDI_ONLY = set("""kripya kripaya krpya dhanyavad dhanyawad dhanyavaad samasya sahayata sahayta
    namaste vidyalay avashyak kshama prapt turant""".split())
URDU_ONLY = set("""shukriya shukria meherbani mehrbani janab masla maslah baraye barae
    baraekaram""".split())
SOMALI_WORDS = set("""waa ayaa iyo aan ah oo la fadlan caawi caawin caawiya caawimaad caawimo
    shaqeynayo shaqaynayo shaqeyn shaqayn shaqo dhamaaday dhammaaday dhamaatay xumaaday jabay
    jaban lumay kombuyuutar kumbuyuutar hadda maxaa sidee haa maya waxaa wuxuu waxay aniga
    anigu waan wax mahadsanid walaal iga igu ii ayuu ayay baa shidmayo shidmaynayo daaran
    korontada xogta xog qalabka ilmaha wiilkayga gabadhayda ilmahayga ku ka ma i u""".split())
SOMALI_ENDINGS = re.compile(r"(-(ka|ga|ta|da|kii|gii|kaaga|kayga|ayga)|aday|aaday|aatay|ayo|aynayo|eynayo|kayga|ayga|aysa)$")
#: Words that are also English (or too short to mean much): half a point.
WEAK = set("main par band do de da di hum ye wo ho na nu hun he ki ka ke ko se ma i u la ah oo er mil".split())
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")


def supported_codes():
    """The codes of settings.LANGUAGES that detect_language can return."""
    return [code for code, _name in settings.LANGUAGES if code in LINGUA_NAMES or code in RULE_CODES]


def _enabled():
    return {code for code, _name in settings.LANGUAGES}


@lru_cache(maxsize=8)
def _detector(codes):
    from lingua import LanguageDetectorBuilder, Language

    return LanguageDetectorBuilder.from_languages(*[getattr(Language, LINGUA_NAMES[c]) for c in codes]).build()


@lru_cache(maxsize=1)
def _roman_lists():
    lists = {name: set(words.split()) for name, words in ROMAN_WORDS.items()}
    lists["hu"] |= HINDI_ONLY | URDU_ONLY
    return lists


def _lingua(text, codes):
    codes = tuple(c for c in codes if c in LINGUA_NAMES)
    if not codes:
        return ""
    if len(codes) == 1:
        return codes[0]
    language = _detector(codes).detect_language_of(text)
    if language is None:
        return ""
    by_name = {name: code for code, name in LINGUA_NAMES.items()}
    return by_name.get(language.name, "")


def _scripts(text):
    """How many letters of text are in each script (the first word of the Unicode name)."""
    counts = {}
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "")
            script = name.split(" ", 1)[0]
            counts[script] = counts.get(script, 0) + 1
    return counts


def _arabic_script(text, enabled):
    letters = set(text)
    if "ps" in enabled and letters & PASHTO_LETTERS:
        return "ps"
    if "ur" in enabled and letters & URDU_LETTERS:
        return "ur"
    return _lingua(text, [c for c in ARABIC_SCRIPT_CODES if c in enabled])


def _score(tokens, words):
    return sum(0.5 if t in WEAK else 1 for t in tokens if t in words)


def _romanised(text, enabled):
    """A code for romanised South Asian or phone-typed Somali text; "" when it is one of those
    but the language is not in settings; None when it is neither (lingua decides)."""
    tokens = WORD.findall(text.lower())
    if not tokens:
        return None
    lists = _roman_lists()
    shared = _score(tokens, lists["shared"])
    scores = {name: _score(tokens, lists[name]) for name in ("hu", "pa", "bn")}
    somali = _score(tokens, SOMALI_WORDS) + sum(1 for t in tokens if t not in SOMALI_WORDS and SOMALI_ENDINGS.search(t))
    best = max(scores, key=scores.get)
    south_asian = shared + scores[best]
    # Enough of the message must be list words: one "nu" or "ka" in a Romanian or Turkish
    # sentence is not South Asian.
    enough = max(2, len(tokens) / 3)
    if somali >= enough and somali > south_asian:
        return "so" if "so" in enabled else ""
    if south_asian < enough:
        return None
    if scores[best] == 0 or list(scores.values()).count(scores[best]) > 1:
        best = "hu"  # only shared words, or a tie: the largest group
    if best == "hu":
        words = set(tokens)
        code = "hi" if words & HINDI_ONLY and not words & URDU_ONLY else "ur"
        return code if code in enabled else ("ur" if "ur" in enabled else "")
    return best if best in enabled else ""


def detect_language(text):
    """The code (from settings.LANGUAGES) of ``text``'s language, or "" when it is too short or unclear."""
    text = (text or "").strip()
    if len(text) < 3:
        return ""
    enabled = _enabled()
    scripts = _scripts(text)
    if not scripts:
        return ""
    script = max(scripts, key=scripts.get)
    if script in SCRIPT_CODES:
        code = SCRIPT_CODES[script]
        return code if code in enabled else ""
    if script == "ARABIC":
        return _arabic_script(text, enabled)
    if script == "LATIN":
        code = _romanised(text, enabled)
        if code is not None:
            return code
        latin = [c for c in supported_codes() if c in LINGUA_NAMES and c not in SCRIPT_CODES.values() and c not in ARABIC_SCRIPT_CODES]
        return _lingua(text, latin)
    return ""  # a script none of our languages is written in (Cyrillic, Greek, Hangul ...)
