"""Demo support data: agents' languages, canned responses in every language, and tickets in
several languages in Camden (202) and Hackney (204). Safe to run twice."""

from accounts.models import School, User
from support import services
from support.models import CannedResponse, CannedResponseText, Ticket

AGENT_LANGUAGES = {
    "agent": ["en", "ur", "hi", "so", "bn", "ar", "fa", "ps"],  # Amina Hussain, all LAs, safeguarding lead
    "agent.camden": ["en", "pl", "ro", "lt", "sq", "fr", "it"],  # Piotr Nowak, Camden
}

CANNED = {
    "Replacement SIM on its way": ("no_internet", {
        "en": "We are sending you a replacement SIM card. It should arrive within three working days.",
        "pl": "Wysyłamy Państwu nową kartę SIM. Powinna dotrzeć w ciągu trzech dni roboczych.",
        "bn": "আমরা আপনাকে একটি নতুন সিম কার্ড পাঠাচ্ছি। এটি তিন কার্যদিবসের মধ্যে পৌঁছানোর কথা।",
        "ur": "ہم آپ کو نیا سم کارڈ بھیج رہے ہیں۔ یہ تین کاروباری دنوں میں پہنچ جانا چاہیے۔",
        "so": "Waxaan kuu soo diraynaa kaarka SIM cusub. Waa inuu soo gaaraa saddex maalmood oo shaqo gudahood.",
        "ar": "سنرسل إليك شريحة SIM بديلة. من المفترض أن تصلك خلال ثلاثة أيام عمل.",
        "tr": "Size yeni bir SIM kart gönderiyoruz. Üç iş günü içinde elinize ulaşması gerekir.",
        "ro": "Vă trimitem o cartelă SIM nouă. Ar trebui să ajungă în trei zile lucrătoare.",
        "pt": "Vamos enviar-lhe um novo cartão SIM. Deverá chegar dentro de três dias úteis.",
        "es": "Le enviamos una tarjeta SIM nueva. Debería llegar en un plazo de tres días laborables.",
        "gu": "અમે તમને નવું સિમ કાર્ડ મોકલી રહ્યા છીએ. તે ત્રણ કામકાજના દિવસોમાં પહોંચી જવું જોઈએ.",
        "ta": "உங்களுக்கு புதிய சிம் அட்டையை அனுப்புகிறோம். இது மூன்று வேலை நாட்களுக்குள் வந்து சேர வேண்டும்.",
        "pa": "ਅਸੀਂ ਤੁਹਾਨੂੰ ਨਵਾਂ ਸਿਮ ਕਾਰਡ ਭੇਜ ਰਹੇ ਹਾਂ। ਇਹ ਤਿੰਨ ਕੰਮਕਾਜੀ ਦਿਨਾਂ ਵਿੱਚ ਪਹੁੰਚ ਜਾਣਾ ਚਾਹੀਦਾ ਹੈ।",
    }),
    "Restart the router": ("no_internet", {
        "en": "Please restart the router: switch it off, wait 30 seconds, then switch it on again. Tell us if it still does not work.",
        "pl": "Prosimy uruchomić router ponownie: proszę go wyłączyć, odczekać 30 sekund i włączyć ponownie. Prosimy dać nam znać, jeśli nadal nie działa.",
        "bn": "অনুগ্রহ করে রাউটারটি আবার চালু করুন: এটি বন্ধ করুন, ৩০ সেকেন্ড অপেক্ষা করুন, তারপর আবার চালু করুন। তারপরও কাজ না করলে আমাদের জানান।",
        "ur": "براہ کرم راؤٹر دوبارہ شروع کریں: اسے بند کریں، 30 سیکنڈ انتظار کریں، پھر دوبارہ آن کریں۔ اگر پھر بھی کام نہ کرے تو ہمیں بتائیں۔",
        "so": "Fadlan dib u bilow router-ka: dami, sug 30 ilbiriqsi, kadibna mar kale shid. Noo sheeg haddii uusan weli shaqaynayn.",
        "ar": "يُرجى إعادة تشغيل جهاز الراوتر: أطفئه وانتظر 30 ثانية ثم شغّله من جديد. أخبرنا إذا استمرت المشكلة.",
        "tr": "Lütfen modemi yeniden başlatın: kapatın, 30 saniye bekleyin ve yeniden açın. Hâlâ çalışmıyorsa bize bildirin.",
        "ro": "Vă rugăm să reporniți routerul: opriți-l, așteptați 30 de secunde, apoi porniți-l din nou. Anunțați-ne dacă tot nu funcționează.",
        "pt": "Por favor, reinicie o router: desligue-o, espere 30 segundos e volte a ligá-lo. Diga-nos se continuar a não funcionar.",
        "es": "Por favor, reinicie el router: apáguelo, espere 30 segundos y vuelva a encenderlo. Díganos si sigue sin funcionar.",
        "gu": "કૃપા કરીને રાઉટર ફરી શરૂ કરો: તેને બંધ કરો, 30 સેકન્ડ રાહ જુઓ, પછી ફરી ચાલુ કરો. જો હજી પણ કામ ન કરે તો અમને જણાવો.",
        "ta": "தயவுசெய்து ரூட்டரை மறுதொடக்கம் செய்யுங்கள்: அதை அணைத்து, 30 வினாடிகள் காத்திருந்து, மீண்டும் இயக்குங்கள். இன்னும் வேலை செய்யவில்லை என்றால் எங்களுக்குத் தெரிவியுங்கள்.",
        "pa": "ਕਿਰਪਾ ਕਰਕੇ ਰਾਊਟਰ ਨੂੰ ਮੁੜ ਚਾਲੂ ਕਰੋ: ਇਸਨੂੰ ਬੰਦ ਕਰੋ, 30 ਸਕਿੰਟ ਉਡੀਕ ਕਰੋ, ਫਿਰ ਦੁਬਾਰਾ ਚਾਲੂ ਕਰੋ। ਜੇ ਇਹ ਅਜੇ ਵੀ ਕੰਮ ਨਹੀਂ ਕਰਦਾ ਤਾਂ ਸਾਨੂੰ ਦੱਸੋ।",
    }),
    "Ask for the serial number": ("", {
        "en": "Please tell us the serial number. It is on a sticker on the bottom of the device.",
        "pl": "Prosimy podać numer seryjny. Znajduje się na naklejce na spodzie urządzenia.",
        "bn": "অনুগ্রহ করে আমাদের সিরিয়াল নম্বরটি জানান। এটি ডিভাইসের নিচে একটি স্টিকারে লেখা আছে।",
        "ur": "براہ کرم ہمیں سیریل نمبر بتائیں۔ یہ ڈیوائس کے نیچے لگے اسٹیکر پر لکھا ہے۔",
        "so": "Fadlan noo sheeg lambarka taxanaha (serial number). Wuxuu ku qoran yahay istiikar ku yaal qalabka hoostiisa.",
        "ar": "يُرجى إرسال الرقم التسلسلي للجهاز. تجده على ملصق أسفل الجهاز.",
        "tr": "Lütfen bize seri numarasını bildirin. Cihazın altındaki etikette yazılıdır.",
        "ro": "Vă rugăm să ne spuneți numărul de serie. Se află pe o etichetă pe partea de jos a dispozitivului.",
        "pt": "Por favor, indique-nos o número de série. Está num autocolante na parte de baixo do aparelho.",
        "es": "Por favor, díganos el número de serie. Está en una etiqueta en la parte inferior del dispositivo.",
        "gu": "કૃપા કરીને અમને સીરિયલ નંબર જણાવો. તે ઉપકરણની નીચે લગાવેલા સ્ટીકર પર લખેલો છે.",
        "ta": "தயவுசெய்து வரிசை எண்ணை (சீரியல் எண்) எங்களுக்குத் தெரிவியுங்கள். அது சாதனத்தின் அடியில் உள்ள ஸ்டிக்கரில் உள்ளது.",
        "pa": "ਕਿਰਪਾ ਕਰਕੇ ਸਾਨੂੰ ਸੀਰੀਅਲ ਨੰਬਰ ਦੱਸੋ। ਇਹ ਡਿਵਾਈਸ ਦੇ ਹੇਠਾਂ ਲੱਗੇ ਸਟਿੱਕਰ ਉੱਤੇ ਲਿਖਿਆ ਹੈ।",
    }),
}

# (LA code, family name, category, text, language chosen on the form or "" to detect)
TICKETS = [
    ("202", "Ayesha Khan", "no_internet", "ڈونگل میں ڈیٹا ختم ہو گیا ہے اور میرا بیٹا اپنا ہوم ورک نہیں کر سکتا۔", "ur"),
    ("202", "Katarzyna Wiśniewska", "hardware", "Laptop nie włącza się od wczoraj. Ładowarka jest podłączona, ale nic się nie dzieje.", "pl"),
    ("202", "Elif Yılmaz", "software", "Öğrenci hesabıyla giriş yapamıyoruz, şifre kabul edilmiyor.", ""),
    ("204", "Hodan Warsame", "no_internet", "Internetku wuu go'ay, xogtii dongle-ka way dhammaatay. Fadlan na caawiya.", "so"),
    ("204", "Rahima Begum", "damage", "ল্যাপটপের স্ক্রিন ভেঙে গেছে। আমার মেয়ে স্কুলের কাজ করতে পারছে না।", "bn"),
    ("204", "Omar Haddad", "no_internet", "لا يوجد اتصال بالإنترنت منذ ثلاثة أيام، والراوتر لا يعمل.", ""),
    ("204", "Maria Popescu", "lost_stolen", "Laptopul a fost furat din mașină ieri seară.", "ro"),
]


def seed(stdout, style):
    for username, languages in AGENT_LANGUAGES.items():
        user = User.objects.filter(username=username).first()
        if user:
            services.set_agent_languages(user=user, languages=languages)
    for title, (category, texts) in CANNED.items():
        canned, _created = CannedResponse.objects.update_or_create(title=title, defaults={"category": category})
        for language, body in texts.items():
            CannedResponseText.objects.update_or_create(canned_response=canned, language=language, defaults={"body": body})
    created = 0
    for code, name, category, text, language in TICKETS:
        if Ticket.objects.filter(requester_name=name, description=text).exists():
            continue
        school = School.objects.filter(local_authority__code=code).open().order_by("urn").first()
        if school is None:
            continue
        device = _device_for(code, category)
        services.create_ticket(
            category=category, description=text, source="family", language=language, requester_name=name,
            requester_phone="+447700900%03d" % (100 + created), school=None if device else school, device=device,
            serial_given=device.serial if device else "",
        )
        created += 1
    staff = User.objects.filter(username="school").first()
    if staff and not Ticket.objects.filter(requester_user=staff).exists():
        services.create_ticket(category="hardware", description="Several keys are missing from the keyboard.",
                               source="staff", language="en", requester_user=staff, priority="low")
        services.create_ticket(category="safeguarding", description="A pupil told us about worrying messages received on the device.",
                               source="staff", language="en", requester_user=staff)
        created += 2
    stdout.write(f"  support: {created} ticket(s) created, {len(CANNED)} canned responses in {len(CANNED['Restart the router'][1])} languages")


def _device_for(code, category):
    from devices.models import Device, DeviceKind

    devices = Device.objects.filter(local_authority__code=code)
    if category == "no_internet":
        devices = devices.filter(kind=DeviceKind.ROUTER)
    return devices.order_by("pk").first()
