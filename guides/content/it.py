"""Italiano."""

TEXTS = {
    "cannot-sign-in": ("Non riesco ad accedere", "Cosa controllare quando il portatile non accetta il nome utente o la password.", [
        "Collega prima il portatile a internet. Alcuni portatili ne hanno bisogno per l'accesso.",
        "Scrivi il nome utente e la password esattamente come nella lettera della scuola. Controlla che il Bloc Maiusc sia spento.",
        "Riavvia il portatile: tieni premuto il pulsante di accensione finché si spegne, poi riaccendilo.",
        "Se ancora non funziona, scrivici qui sotto. La scuola può controllare l'account.",
    ]),
    "forgotten-password": ("Ho dimenticato la password", "Come ottenere una nuova password per l'account scolastico del bambino.", [
        "Non creare un nuovo account. Il bambino deve usare il suo account della scuola.",
        "Nella schermata di accesso scegli \"Password dimenticata\" se la vedi, e segui i passaggi.",
        "Se non la vedi, chiedi una nuova password all'insegnante del bambino o alla segreteria della scuola.",
        "Scrivi la nuova password e tienila in un posto sicuro.",
    ]),
    "wifi-laptop": ("Collega il portatile al Wi-Fi", "Collegati al Wi-Fi di casa o al Wi-Fi del router 4G.", [
        "Accendi il router e aspetta due minuti.",
        "Sul portatile, seleziona il simbolo del Wi-Fi nell'angolo dello schermo e scegli il nome della tua rete Wi-Fi.",
        "Scrivi la password del Wi-Fi e seleziona Connetti. Il nome e la password Wi-Fi del router sono sulla sua etichetta.",
        "Se non si collega, spegni e riaccendi il portatile e il router.",
    ]),
    "router-set-up": ("Prepara il router 4G", "Accendi il router e collegaci il portatile.", [
        "Carica il router per un'ora prima di usarlo la prima volta. Lascia dentro la scheda SIM.",
        "Tieni premuto il pulsante di accensione per 3 secondi finché si accendono le luci.",
        "Sul portatile, scegli il nome Wi-Fi scritto sull'etichetta del router e scrivi la password dell'etichetta.",
        "Metti il router vicino a una finestra: lì il segnale spesso è migliore.",
    ]),
    "huawei-e5576-set-up": ("Prepara il router Huawei E5576", "I passaggi per il piccolo router 4G Huawei E5576.", [
        "Togli il coperchio posteriore. Controlla che la batteria e la scheda SIM siano al loro posto, poi richiudi.",
        "Tieni premuto il pulsante di accensione per 3 secondi finché si accendono le luci.",
        "Il nome del Wi-Fi (SSID) e la password (WIFI KEY) sono sull'adesivo sotto il coperchio posteriore. Scegli quel nome sul portatile e scrivi la password.",
        "Se la luce del segnale è rossa, sposta il router vicino a una finestra.",
    ]),
    "data-ran-out": ("I dati internet sono finiti", "Cosa fare quando internet si ferma perché i dati del mese sono finiti.", [
        "I dati ripartono ogni mese. La data è nella lettera ricevuta con il dispositivo.",
        "Video e giochi consumano molti dati. Usali meno quando i dati sono pochi.",
        "Disattiva gli aggiornamenti automatici sui telefoni collegati al router.",
        "Se il bambino ha bisogno di più dati per la scuola, scrivici qui sotto. Possiamo chiederne altri.",
    ]),
    "charging": ("Non si carica o non si accende", "Controlla il caricabatterie, la presa e la batteria.", [
        "Usa il caricabatterie arrivato con il dispositivo e controlla che la presa sia accesa.",
        "Lascia il dispositivo in carica per 30 minuti, poi prova ad accenderlo.",
        "Tieni premuto il pulsante di accensione per 15 secondi, lascialo, poi premilo di nuovo.",
        "Se il caricabatterie è rovinato o si scalda, smetti di usarlo e scrivici qui sotto.",
    ]),
    "broken-screen": ("Lo schermo è rotto", "Tieni tutti al sicuro e raccontaci il danno.", [
        "Se il vetro è incrinato, smetti di usare il dispositivo. Il vetro rotto può tagliare.",
        "Non provare a ripararlo da solo e non portarlo in un negozio di riparazioni.",
        "Spegni il dispositivo e tienilo lontano dai bambini piccoli.",
        "Se puoi, fai una foto del danno e aggiungila al modulo qui sotto.",
    ]),
    "lost-or-stolen": ("Il dispositivo è stato perso o rubato", "Avvisaci subito, così possiamo bloccare il dispositivo e la sua scheda SIM.", [
        "Prima cerca bene a casa, a scuola e nelle borse.",
        "Se è stato rubato, denuncialo alla polizia al 101 o online. Conserva il numero della denuncia.",
        "Avvisaci qui sotto il prima possibile. Bloccheremo il dispositivo e la scheda SIM.",
        "Se qualcuno è in pericolo adesso, chiama il 999.",
    ]),
}
