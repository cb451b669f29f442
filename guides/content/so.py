"""Soomaali."""

TEXTS = {
    "cannot-sign-in": ("Ma gali karo akoonka", "Waxa la hubiyo marka laptop-ku aanu aqbalin magaca isticmaalaha ama furaha sirta ah.", [
        "Marka hore laptop-ka ku xir internetka. Laptop-yada qaar waxay u baahan yihiin internet si loo galo.",
        "Qor magaca isticmaalaha iyo furaha sirta ah sida ay ugu qoran yihiin warqadda dugsiga. Hubi in Caps Lock uu dansan yahay.",
        "Dib u shid laptop-ka: riix oo hay badhanka shidista ilaa uu damo, kadibna shid.",
        "Haddii aanu weli shaqayn, hoos noogu sheeg. Dugsigu wuu hubin karaa akoonka.",
    ]),
    "forgotten-password": ("Waan illaabay furaha sirta ah", "Sida loo helo furo sir ah oo cusub oo loogu talagalay akoonka dugsiga ee ilmaha.", [
        "Ha samayn akoon cusub. Ilmuhu waa inuu isticmaalaa akoonkiisa dugsiga.",
        "Shaashadda galitaanka, dooro \"Forgot password\" haddii aad aragto, oo raac tillaabooyinka.",
        "Haddii aadan arkin, ka codso macallinka ilmaha ama xafiiska dugsiga furo sir ah oo cusub.",
        "Qor furaha cusub oo meel ammaan ah ku hay.",
    ]),
    "wifi-laptop": ("Laptop-ka ku xir Wi-Fi", "Ku xirmo Wi-Fi-ga guriga ama Wi-Fi-ga router-ka 4G.", [
        "Shid router-ka oo sug laba daqiiqo.",
        "Laptop-ka, dooro calaamadda Wi-Fi ee geeska shaashadda oo dooro magaca Wi-Fi-gaaga.",
        "Qor furaha Wi-Fi oo dooro Connect. Magaca iyo furaha Wi-Fi ee router-ka waxay ku qoran yihiin calaamaddiisa.",
        "Haddii aanu ku xirmin, dami oo dib u shid laptop-ka iyo router-ka.",
    ]),
    "router-set-up": ("Diyaari router-ka 4G", "Shid router-ka oo laptop-ka ku xir.", [
        "Router-ka hal saac dallac ka hor intaadan markii ugu horreysay isticmaalin. Kaarka SIM-ka ku dhex daa.",
        "Riix oo hay badhanka shidista 3 ilbiriqsi ilaa nalalku ka shidmaan.",
        "Laptop-ka, dooro magaca Wi-Fi ee ku qoran calaamadda router-ka oo qor furaha ku qoran.",
        "Router-ka dhig meel daaqad u dhow: halkaas calaamaddu badanaa way fiicantahay.",
    ]),
    "huawei-e5576-set-up": ("Diyaari router-ka Huawei E5576", "Tillaabooyinka router-ka yar ee 4G Huawei E5576.", [
        "Ka qaad daboolka dambe. Hubi in baytariga iyo kaarka SIM-ku meeshooda ku jiraan, kadibna xir.",
        "Riix oo hay badhanka shidista 3 ilbiriqsi ilaa nalalku ka shidmaan.",
        "Magaca Wi-Fi (SSID) iyo furaha (WIFI KEY) waxay ku yaallaan istiikarka daboolka dambe hoostiisa. Laptop-ka ku dooro magacaas oo qor furaha.",
        "Haddii nalka calaamaddu casaan yahay, router-ka u dhaqaaji meel daaqad u dhow.",
    ]),
    "data-ran-out": ("Xogtii internetka way dhammaatay", "Waxa la sameeyo marka internetku istaago sababtoo ah xogtii bisha way dhammaatay.", [
        "Xogtu bil kasta dib ayey u bilaabataa. Taariikhdu waxay ku qoran tahay warqaddii aad qalabka la heshay.",
        "Muuqaallada iyo ciyaaraha xog badan ayey isticmaalaan. Yaree inta xogtu yar tahay.",
        "Dami cusboonaysiinta tooska ah ee taleefannada ku xiran router-ka.",
        "Haddii ilmuhu u baahan yahay xog dheeraad ah oo shaqada dugsiga ah, hoos noogu sheeg. Waan codsan karnaa.",
    ]),
    "charging": ("Ma dallacmayo ama ma shidmayo", "Hubi dallacaha, godka korontada iyo baytariga.", [
        "Isticmaal dallacaha qalabka la socday, oo hubi in godka korontadu shidan yahay.",
        "Qalabka daa isagoo dallacmaya 30 daqiiqo, kadibna isku day inaad shido.",
        "Riix oo hay badhanka shidista 15 ilbiriqsi, sii daa, kadibna mar kale riix.",
        "Haddii dallacuhu jaban yahay ama kululaado, jooji isticmaalkiisa oo hoos noogu sheeg.",
    ]),
    "broken-screen": ("Shaashaddu way jabtay", "Qof walba ammaan ku hay oo noo sheeg waxa dhaawacmay.", [
        "Haddii quraaradu dillaacday, jooji isticmaalka qalabka. Quraarad jabani way goyn kartaa.",
        "Ha isku dayin inaad adigu hagaajiso, hana geyn dukaan dayactir.",
        "Dami qalabka oo ka fogee carruurta yaryar.",
        "Haddii aad awoodo, sawir dhaawaca oo ku dar foomka hoose.",
    ]),
    "lost-or-stolen": ("Qalabku wuu lumay ama waa la xaday", "Si dhakhso ah noogu sheeg si aan u xannibno qalabka iyo kaarkiisa SIM-ka.", [
        "Marka hore si fiican uga raadi guriga, dugsiga iyo boorsooyinka.",
        "Haddii la xaday, booliska ku wargeli 101 ama online. Hay lambarka dembiga.",
        "Sida ugu dhakhsaha badan hoos noogu sheeg. Waan xannibi doonnaa qalabka iyo kaarka SIM-ka.",
        "Haddii qof hadda khatar ku jiro, wac 999.",
    ]),
}
