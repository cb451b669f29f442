"""Română."""

TEXTS = {
    "cannot-sign-in": ("Nu mă pot conecta", "Ce să verificați când laptopul nu acceptă numele de utilizator sau parola.", [
        "Conectați mai întâi laptopul la internet. Unele laptopuri au nevoie de internet pentru conectare.",
        "Scrieți numele de utilizator și parola exact ca în scrisoarea de la școală. Verificați că tasta Caps Lock este oprită.",
        "Reporniți laptopul: țineți apăsat butonul de pornire până se oprește, apoi porniți-l din nou.",
        "Dacă tot nu merge, spuneți-ne mai jos. Școala poate verifica contul.",
    ]),
    "forgotten-password": ("Am uitat parola", "Cum obțineți o parolă nouă pentru contul de școală al copilului.", [
        "Nu faceți un cont nou. Copilul trebuie să folosească contul său de școală.",
        "Pe ecranul de conectare, alegeți „Ați uitat parola?” dacă apare și urmați pașii.",
        "Dacă nu apare, cereți o parolă nouă profesorului copilului sau secretariatului școlii.",
        "Scrieți parola nouă și păstrați-o într-un loc sigur.",
    ]),
    "wifi-laptop": ("Conectați laptopul la Wi-Fi", "Conectați-vă la Wi-Fi-ul de acasă sau la Wi-Fi-ul routerului 4G.", [
        "Porniți routerul și așteptați două minute.",
        "Pe laptop, alegeți simbolul Wi-Fi din colțul ecranului și alegeți numele rețelei dumneavoastră Wi-Fi.",
        "Scrieți parola Wi-Fi și alegeți Conectare. Numele și parola Wi-Fi ale routerului sunt pe eticheta lui.",
        "Dacă nu se conectează, opriți și porniți din nou laptopul și routerul.",
    ]),
    "router-set-up": ("Pregătiți routerul 4G", "Porniți routerul și conectați laptopul la el.", [
        "Încărcați routerul timp de o oră înainte de prima folosire. Lăsați cartela SIM în el.",
        "Țineți apăsat butonul de pornire 3 secunde, până se aprind luminile.",
        "Pe laptop, alegeți numele Wi-Fi de pe eticheta routerului și scrieți parola de pe etichetă.",
        "Puneți routerul lângă o fereastră: acolo semnalul este adesea mai bun.",
    ]),
    "huawei-e5576-set-up": ("Pregătiți routerul Huawei E5576", "Pași pentru routerul 4G mic Huawei E5576.", [
        "Scoateți capacul din spate. Verificați că bateria și cartela SIM sunt la locul lor, apoi închideți capacul.",
        "Țineți apăsat butonul de pornire 3 secunde, până se aprind luminile.",
        "Numele Wi-Fi (SSID) și parola (WIFI KEY) sunt pe eticheta de sub capacul din spate. Alegeți acest nume pe laptop și scrieți parola.",
        "Dacă lumina de semnal este roșie, mutați routerul lângă o fereastră.",
    ]),
    "data-ran-out": ("S-au terminat datele de internet", "Ce să faceți când internetul se oprește pentru că datele lunii s-au terminat.", [
        "Datele pornesc din nou în fiecare lună. Data este în scrisoarea primită cu dispozitivul.",
        "Videoclipurile și jocurile folosesc multe date. Folosiți-le mai puțin cât timp datele sunt puține.",
        "Opriți actualizările automate pe telefoanele conectate la router.",
        "Dacă copilul are nevoie de mai multe date pentru școală, spuneți-ne mai jos. Putem cere mai multe.",
    ]),
    "charging": ("Nu se încarcă sau nu pornește", "Verificați încărcătorul, priza și bateria.", [
        "Folosiți încărcătorul primit cu dispozitivul și verificați că priza este pornită.",
        "Lăsați dispozitivul la încărcat 30 de minute, apoi încercați să-l porniți.",
        "Țineți apăsat butonul de pornire 15 secunde, dați drumul, apoi apăsați-l din nou.",
        "Dacă încărcătorul este deteriorat sau se încinge, nu-l mai folosiți și spuneți-ne mai jos.",
    ]),
    "broken-screen": ("Ecranul este spart", "Păstrați-i pe toți în siguranță și spuneți-ne despre defect.", [
        "Dacă sticla este crăpată, nu mai folosiți dispozitivul. Sticla spartă poate tăia.",
        "Nu încercați să-l reparați singur și nu-l duceți la un atelier de reparații.",
        "Opriți dispozitivul și țineți-l departe de copiii mici.",
        "Faceți o fotografie a defectului dacă puteți și adăugați-o în formularul de mai jos.",
    ]),
    "lost-or-stolen": ("Dispozitivul a fost pierdut sau furat", "Spuneți-ne repede, ca să putem bloca dispozitivul și cartela SIM.", [
        "Căutați mai întâi cu atenție acasă, la școală și în genți.",
        "Dacă a fost furat, anunțați poliția la 101 sau online. Păstrați numărul dosarului.",
        "Spuneți-ne mai jos cât mai repede. Vom bloca dispozitivul și cartela SIM.",
        "Dacă cineva este în pericol acum, sunați la 999.",
    ]),
}
