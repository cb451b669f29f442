"""Türkçe."""

TEXTS = {
    "cannot-sign-in": ("Oturum açamıyorum", "Dizüstü bilgisayar kullanıcı adını veya şifreyi kabul etmediğinde nelere bakmalı.", [
        "Önce bilgisayarı internete bağlayın. Bazı bilgisayarlar oturum açmak için internet ister.",
        "Kullanıcı adını ve şifreyi okulun mektubunda yazdığı gibi aynen yazın. Caps Lock'un kapalı olduğunu kontrol edin.",
        "Bilgisayarı yeniden başlatın: kapanana kadar güç düğmesini basılı tutun, sonra tekrar açın.",
        "Hâlâ çalışmazsa aşağıda bize yazın. Okul hesabı kontrol edebilir.",
    ]),
    "forgotten-password": ("Şifremi unuttum", "Çocuğun okul hesabı için yeni şifre nasıl alınır.", [
        "Yeni hesap açmayın. Çocuk kendi okul hesabını kullanmalıdır.",
        "Giriş ekranında \"Şifremi unuttum\" seçeneğini görürseniz seçin ve adımları izleyin.",
        "Görmüyorsanız, çocuğun öğretmeninden veya okul idaresinden yeni şifre isteyin.",
        "Yeni şifreyi bir yere yazın ve güvenli bir yerde saklayın.",
    ]),
    "wifi-laptop": ("Bilgisayarı Wi-Fi'ye bağlayın", "Evinizin Wi-Fi'sine veya 4G modemin Wi-Fi'sine bağlanın.", [
        "Modemi açın ve iki dakika bekleyin.",
        "Bilgisayarda ekranın köşesindeki Wi-Fi simgesini seçin ve Wi-Fi adınızı seçin.",
        "Wi-Fi şifresini yazın ve Bağlan'ı seçin. Modemin Wi-Fi adı ve şifresi etiketinde yazar.",
        "Bağlanmazsa bilgisayarı ve modemi kapatıp yeniden açın.",
    ]),
    "router-set-up": ("4G modemi kurun", "Modemi açın ve bilgisayarı ona bağlayın.", [
        "İlk kullanımdan önce modemi bir saat şarj edin. SIM kartı içinde bırakın.",
        "Işıklar yanana kadar güç düğmesini 3 saniye basılı tutun.",
        "Bilgisayarda modemin etiketindeki Wi-Fi adını seçin ve etiketteki şifreyi yazın.",
        "Modemi bir pencerenin yanına koyun: sinyal orada genellikle daha iyidir.",
    ]),
    "huawei-e5576-set-up": ("Huawei E5576 modemi kurun", "Küçük Huawei E5576 4G modem için adımlar.", [
        "Arka kapağı çıkarın. Pilin ve SIM kartın yerinde olduğunu kontrol edin, sonra kapağı kapatın.",
        "Işıklar yanana kadar güç düğmesini 3 saniye basılı tutun.",
        "Wi-Fi adı (SSID) ve şifresi (WIFI KEY) arka kapağın altındaki etikettedir. Bilgisayarda bu adı seçin ve şifreyi yazın.",
        "Sinyal ışığı kırmızıysa modemi pencerenin yanına taşıyın.",
    ]),
    "data-ran-out": ("İnternet paketi bitti", "Ayın interneti bittiği için bağlantı kesildiğinde ne yapmalı.", [
        "İnternet paketi her ay yenilenir. Tarih, cihazla birlikte aldığınız mektupta yazar.",
        "Videolar ve oyunlar çok internet harcar. Paket azken onları daha az kullanın.",
        "Modeme bağlı telefonlarda otomatik güncellemeleri kapatın.",
        "Çocuğun okul ödevleri için daha fazla internete ihtiyacı varsa aşağıda bize yazın. Daha fazlasını isteyebiliriz.",
    ]),
    "charging": ("Şarj olmuyor veya açılmıyor", "Şarj aletini, prizi ve pili kontrol edin.", [
        "Cihazla gelen şarj aletini kullanın ve prizin açık olduğunu kontrol edin.",
        "Cihazı 30 dakika şarjda bırakın, sonra açmayı deneyin.",
        "Güç düğmesini 15 saniye basılı tutun, bırakın, sonra tekrar basın.",
        "Şarj aleti hasarlıysa veya ısınıyorsa kullanmayı bırakın ve aşağıda bize yazın.",
    ]),
    "broken-screen": ("Ekran kırık", "Herkesi güvende tutun ve hasarı bize anlatın.", [
        "Cam çatlaksa cihazı kullanmayı bırakın. Kırık cam kesebilir.",
        "Kendiniz tamir etmeye çalışmayın ve tamirciye götürmeyin.",
        "Cihazı kapatın ve küçük çocuklardan uzak tutun.",
        "Yapabiliyorsanız hasarın fotoğrafını çekin ve aşağıdaki forma ekleyin.",
    ]),
    "lost-or-stolen": ("Cihaz kayboldu veya çalındı", "Cihazı ve SIM kartını engelleyebilmemiz için bize hemen haber verin.", [
        "Önce evde, okulda ve çantalarda iyice arayın.",
        "Çalındıysa polise 101'den veya internetten bildirin. Suç numarasını saklayın.",
        "En kısa sürede aşağıda bize yazın. Cihazı ve SIM kartı engelleyeceğiz.",
        "Biri şu anda tehlikedeyse 999'u arayın.",
    ]),
}
