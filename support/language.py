"""Offline language detection for ticket text.

Uses lingua-language-detector, which ships its models inside the package: text never leaves
the server (so it is safe for safeguarding concerns too; there is no translation service).
The detector is built once, lazily, restricted to the languages in ``settings.LANGUAGES``.
"""

from functools import lru_cache

from django.conf import settings

# ISO 639-1 code -> lingua Language name.
LINGUA_NAMES = {
    "en": "ENGLISH", "pl": "POLISH", "bn": "BENGALI", "ur": "URDU", "so": "SOMALI", "ar": "ARABIC",
    "tr": "TURKISH", "ro": "ROMANIAN", "pt": "PORTUGUESE", "es": "SPANISH", "gu": "GUJARATI",
    "ta": "TAMIL", "pa": "PUNJABI",
}


def supported_codes():
    return [code for code, _name in settings.LANGUAGES if code in LINGUA_NAMES]


@lru_cache(maxsize=1)
def _detector(codes):
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, LINGUA_NAMES[c]) for c in codes]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def detect_language(text):
    """The ISO 639-1 code of ``text``'s language, or "" when it is too short or unclear."""
    text = (text or "").strip()
    if len(text) < 3:
        return ""
    language = _detector(tuple(supported_codes())).detect_language_of(text)
    if language is None:
        return ""
    return language.iso_code_639_1.name.lower()
