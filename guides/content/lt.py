"""Lietuvių."""

TEXTS = {
    "cannot-sign-in": ("Negaliu prisijungti", "Ką patikrinti, kai nešiojamasis kompiuteris nepriima naudotojo vardo ar slaptažodžio.", [
        "Pirmiausia prijunkite kompiuterį prie interneto. Kai kuriems kompiuteriams jo reikia prisijungiant.",
        "Įveskite naudotojo vardą ir slaptažodį tiksliai taip, kaip parašyta mokyklos laiške. Patikrinkite, ar išjungtas Caps Lock.",
        "Paleiskite kompiuterį iš naujo: laikykite įjungimo mygtuką, kol jis išsijungs, tada vėl įjunkite.",
        "Jei vis tiek neveikia, parašykite mums žemiau. Mokykla gali patikrinti paskyrą.",
    ]),
    "forgotten-password": ("Pamiršau slaptažodį", "Kaip gauti naują vaiko mokyklos paskyros slaptažodį.", [
        "Nekurkite naujos paskyros. Vaikas turi naudoti savo mokyklos paskyrą.",
        "Prisijungimo ekrane pasirinkite „Pamiršote slaptažodį?“, jei jį matote, ir atlikite veiksmus.",
        "Jei nematote, paprašykite naujo slaptažodžio vaiko mokytojo ar mokyklos raštinės.",
        "Užsirašykite naują slaptažodį ir laikykite jį saugioje vietoje.",
    ]),
    "wifi-laptop": ("Prijunkite kompiuterį prie „Wi-Fi“", "Prisijunkite prie namų „Wi-Fi“ arba 4G maršrutizatoriaus „Wi-Fi“.", [
        "Įjunkite maršrutizatorių ir palaukite dvi minutes.",
        "Kompiuteryje pasirinkite „Wi-Fi“ ženklą ekrano kampe ir pasirinkite savo „Wi-Fi“ pavadinimą.",
        "Įveskite „Wi-Fi“ slaptažodį ir pasirinkite Prisijungti. Maršrutizatoriaus „Wi-Fi“ pavadinimas ir slaptažodis yra ant jo etiketės.",
        "Jei neprisijungia, išjunkite ir vėl įjunkite kompiuterį ir maršrutizatorių.",
    ]),
    "router-set-up": ("Paruoškite 4G maršrutizatorių", "Įjunkite maršrutizatorių ir prijunkite prie jo kompiuterį.", [
        "Prieš naudodami pirmą kartą, kraukite maršrutizatorių valandą. SIM kortelę palikite viduje.",
        "Laikykite įjungimo mygtuką 3 sekundes, kol užsidegs lemputės.",
        "Kompiuteryje pasirinkite „Wi-Fi“ pavadinimą nuo maršrutizatoriaus etiketės ir įveskite etiketėje nurodytą slaptažodį.",
        "Padėkite maršrutizatorių prie lango: ten signalas dažnai geresnis.",
    ]),
    "huawei-e5576-set-up": ("Paruoškite „Huawei E5576“ maršrutizatorių", "Veiksmai mažam 4G maršrutizatoriui „Huawei E5576“.", [
        "Nuimkite galinį dangtelį. Patikrinkite, ar baterija ir SIM kortelė savo vietose, tada uždarykite.",
        "Laikykite įjungimo mygtuką 3 sekundes, kol užsidegs lemputės.",
        "„Wi-Fi“ pavadinimas (SSID) ir slaptažodis (WIFI KEY) yra ant lipduko po galiniu dangteliu. Pasirinkite šį pavadinimą kompiuteryje ir įveskite slaptažodį.",
        "Jei signalo lemputė raudona, perkelkite maršrutizatorių prie lango.",
    ]),
    "data-ran-out": ("Baigėsi interneto duomenys", "Ką daryti, kai internetas nustoja veikti, nes baigėsi mėnesio duomenys.", [
        "Duomenys atsinaujina kiekvieną mėnesį. Data nurodyta laiške, kurį gavote su įrenginiu.",
        "Vaizdo įrašai ir žaidimai naudoja daug duomenų. Kai duomenų mažai, naudokite juos mažiau.",
        "Išjunkite automatinius atnaujinimus telefonuose, prijungtuose prie maršrutizatoriaus.",
        "Jei vaikui mokslams reikia daugiau duomenų, parašykite mums žemiau. Galime paprašyti daugiau.",
    ]),
    "charging": ("Nesikrauna arba neįsijungia", "Patikrinkite kroviklį, lizdą ir bateriją.", [
        "Naudokite kroviklį, gautą su įrenginiu, ir patikrinkite, ar lizdas įjungtas.",
        "Palikite įrenginį krautis 30 minučių, tada bandykite jį įjungti.",
        "Laikykite įjungimo mygtuką 15 sekundžių, atleiskite ir paspauskite dar kartą.",
        "Jei kroviklis sugadintas ar kaista, nebenaudokite jo ir parašykite mums žemiau.",
    ]),
    "broken-screen": ("Ekranas sudužęs", "Saugokite visus ir papasakokite mums apie gedimą.", [
        "Jei stiklas įskilęs, nebenaudokite įrenginio. Sudužęs stiklas gali įpjauti.",
        "Nebandykite taisyti patys ir neneškite į taisyklą.",
        "Išjunkite įrenginį ir laikykite jį toliau nuo mažų vaikų.",
        "Jei galite, nufotografuokite gedimą ir pridėkite nuotrauką prie formos žemiau.",
    ]),
    "lost-or-stolen": ("Įrenginys pamestas arba pavogtas", "Praneškite mums greitai, kad galėtume užblokuoti įrenginį ir jo SIM kortelę.", [
        "Pirmiausia gerai paieškokite namuose, mokykloje ir krepšiuose.",
        "Jei jis pavogtas, praneškite policijai numeriu 101 arba internetu. Išsaugokite nusikaltimo numerį.",
        "Kuo greičiau parašykite mums žemiau. Užblokuosime įrenginį ir SIM kortelę.",
        "Jei kam nors dabar gresia pavojus, skambinkite 999.",
    ]),
}
