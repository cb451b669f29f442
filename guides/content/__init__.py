"""The guides shipped with the service, and their text in every family language.

``GUIDES`` defines each guide (slug, problem, device); ``TEXTS[language][slug]`` is
(title, summary, [steps]). One module per language (``zh_hans`` for ``zh-hans``); loaded by
``guides.services.load_content`` from migration 0002 and ``manage.py load_guides``, which only
add what is missing, so staff edits are never overwritten.

Write for a parent reading on a phone: short sentences, one action a step, 4 to 7 steps.
"""

from importlib import import_module

from guides.content.en import GUIDES

#: Every language the content is written in (more than settings.LANGUAGES may list today).
CONTENT_LANGUAGES = (
    "en", "pl", "bn", "ur", "so", "ar", "tr", "ro", "pt", "es", "gu", "ta", "pa",
    "ti", "ps", "fa", "zh-hans", "sq", "lt", "fr", "it", "vi", "hi",
)


def _texts():
    texts = {}
    for code in CONTENT_LANGUAGES:
        try:
            module = import_module(f"guides.content.{code.replace('-', '_')}")
        except ModuleNotFoundError as exc:
            if exc.name != f"guides.content.{code.replace('-', '_')}":
                raise
            continue
        texts[code] = module.TEXTS
    return texts


TEXTS = _texts()

__all__ = ["CONTENT_LANGUAGES", "GUIDES", "TEXTS"]
