"""Offline language detection on real sentences in every supported language."""

import pytest
from django.conf import settings

from support.language import detect_language, supported_codes

SENTENCES = {
    "en": "The laptop will not turn on and my son cannot do his homework.",
    "pl": "Laptop się nie włącza i mój syn nie może odrabiać lekcji.",
    "bn": "ল্যাপটপটি চালু হচ্ছে না এবং আমার ছেলে তার বাড়ির কাজ করতে পারছে না।",
    "ur": "ڈونگل میں ڈیٹا ختم ہو گیا ہے اور میرا بیٹا اپنا ہوم ورک نہیں کر سکتا۔",
    "so": "Kombuyuutarka ma shidmayo, wiilkayguna ma samayn karo shaqadiisa guriga.",
    "ar": "الحاسوب المحمول لا يعمل وابني لا يستطيع أداء واجباته المدرسية.",
    "tr": "Dizüstü bilgisayar açılmıyor ve oğlum ödevlerini yapamıyor.",
    "ro": "Laptopul nu pornește și fiul meu nu își poate face temele.",
    "pt": "O portátil não liga e o meu filho não consegue fazer os trabalhos de casa.",
    "es": "El portátil no enciende y mi hijo no puede hacer los deberes.",
    "gu": "લેપટોપ ચાલુ થતું નથી અને મારો દીકરો તેનું ગૃહકાર્ય કરી શકતો નથી.",
    "ta": "மடிக்கணினி இயங்கவில்லை, என் மகனால் வீட்டுப்பாடம் செய்ய முடியவில்லை.",
    "pa": "ਲੈਪਟਾਪ ਚਾਲੂ ਨਹੀਂ ਹੁੰਦਾ ਅਤੇ ਮੇਰਾ ਪੁੱਤਰ ਆਪਣਾ ਘਰ ਦਾ ਕੰਮ ਨਹੀਂ ਕਰ ਸਕਦਾ।",
}


def test_every_supported_language_has_a_sentence():
    assert set(supported_codes()) == {code for code, _ in settings.LANGUAGES} == set(SENTENCES)


@pytest.mark.parametrize("code,sentence", sorted(SENTENCES.items()))
def test_detects_language(code, sentence):
    assert detect_language(sentence) == code


def test_too_short_or_empty_is_unknown():
    assert detect_language("") == ""
    assert detect_language("ok") == ""
