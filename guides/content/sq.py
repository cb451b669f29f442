"""Shqip."""

TEXTS = {
    "cannot-sign-in": ("Nuk mund të hyj", "Çfarë të kontrolloni kur laptopi nuk pranon emrin e përdoruesit ose fjalëkalimin.", [
        "Lidheni fillimisht laptopin me internetin. Disa laptopë kanë nevojë për internet për të hyrë.",
        "Shkruani emrin e përdoruesit dhe fjalëkalimin saktësisht si në letrën e shkollës. Kontrolloni që Caps Lock të jetë i fikur.",
        "Rindizni laptopin: mbani shtypur butonin e ndezjes derisa të fiket, pastaj ndizeni përsëri.",
        "Nëse ende nuk punon, na tregoni më poshtë. Shkolla mund ta kontrollojë llogarinë.",
    ]),
    "forgotten-password": ("E kam harruar fjalëkalimin", "Si të merrni një fjalëkalim të ri për llogarinë e shkollës së fëmijës.", [
        "Mos krijoni llogari të re. Fëmija duhet të përdorë llogarinë e vet të shkollës.",
        "Në ekranin e hyrjes zgjidhni \"Forgot password\" nëse e shihni dhe ndiqni hapat.",
        "Nëse nuk e shihni, kërkoni një fjalëkalim të ri nga mësuesi i fëmijës ose nga zyra e shkollës.",
        "Shkruajeni fjalëkalimin e ri dhe mbajeni në një vend të sigurt.",
    ]),
    "wifi-laptop": ("Lidhni laptopin me Wi-Fi", "Lidhuni me Wi-Fi-në e shtëpisë ose me Wi-Fi-në e ruterit 4G.", [
        "Ndizni ruterin dhe prisni dy minuta.",
        "Në laptop zgjidhni simbolin e Wi-Fi-së në cep të ekranit dhe zgjidhni emrin e Wi-Fi-së suaj.",
        "Shkruani fjalëkalimin e Wi-Fi-së dhe zgjidhni Connect. Emri dhe fjalëkalimi i Wi-Fi-së së ruterit janë në etiketën e tij.",
        "Nëse nuk lidhet, fikni dhe ndizni përsëri laptopin dhe ruterin.",
    ]),
    "router-set-up": ("Përgatitni ruterin 4G", "Ndizni ruterin dhe lidhni laptopin me të.", [
        "Karikoni ruterin për një orë para përdorimit të parë. Lëreni kartën SIM brenda.",
        "Mbani shtypur butonin e ndezjes për 3 sekonda derisa të ndizen dritat.",
        "Në laptop zgjidhni emrin e Wi-Fi-së në etiketën e ruterit dhe shkruani fjalëkalimin e etiketës.",
        "Vendoseni ruterin pranë një dritareje: aty sinjali shpesh është më i mirë.",
    ]),
    "huawei-e5576-set-up": ("Përgatitni ruterin Huawei E5576", "Hapat për ruterin e vogël 4G Huawei E5576.", [
        "Hiqni kapakun e pasmë. Kontrolloni që bateria dhe karta SIM të jenë në vend, pastaj mbylleni.",
        "Mbani shtypur butonin e ndezjes për 3 sekonda derisa të ndizen dritat.",
        "Emri i Wi-Fi-së (SSID) dhe fjalëkalimi (WIFI KEY) janë në ngjitësen nën kapakun e pasmë. Zgjidhni atë emër në laptop dhe shkruani fjalëkalimin.",
        "Nëse drita e sinjalit është e kuqe, çojeni ruterin pranë një dritareje.",
    ]),
    "data-ran-out": ("Të dhënat e internetit kanë mbaruar", "Çfarë të bëni kur interneti ndalon sepse të dhënat e muajit kanë mbaruar.", [
        "Të dhënat rinisin çdo muaj. Data është në letrën që morët me pajisjen.",
        "Videot dhe lojërat përdorin shumë të dhëna. Përdorini më pak kur të dhënat janë të pakta.",
        "Fikni përditësimet automatike në telefonat e lidhur me ruterin.",
        "Nëse fëmija ka nevojë për më shumë të dhëna për shkollën, na tregoni më poshtë. Mund të kërkojmë më shumë.",
    ]),
    "charging": ("Nuk karikohet ose nuk ndizet", "Kontrolloni karikuesin, prizën dhe baterinë.", [
        "Përdorni karikuesin që erdhi me pajisjen dhe kontrolloni që priza të jetë e ndezur.",
        "Lëreni pajisjen në karikim për 30 minuta, pastaj provoni ta ndizni.",
        "Mbani shtypur butonin e ndezjes për 15 sekonda, lëshojeni, pastaj shtypeni përsëri.",
        "Nëse karikuesi është i dëmtuar ose nxehet, mos e përdorni më dhe na tregoni më poshtë.",
    ]),
    "broken-screen": ("Ekrani është thyer", "Mbani të gjithë të sigurt dhe na tregoni për dëmin.", [
        "Nëse xhami është i plasaritur, mos e përdorni pajisjen. Xhami i thyer mund të presë.",
        "Mos provoni ta riparoni vetë dhe mos e çoni në një dyqan riparimi.",
        "Fikeni pajisjen dhe mbajeni larg fëmijëve të vegjël.",
        "Nëse mundeni, bëni një foto të dëmit dhe shtojeni në formularin më poshtë.",
    ]),
    "lost-or-stolen": ("Pajisja humbi ose u vodh", "Na tregoni shpejt që ta bllokojmë pajisjen dhe kartën e saj SIM.", [
        "Fillimisht kërkoni mirë në shtëpi, në shkollë dhe në çanta.",
        "Nëse është vjedhur, njoftoni policinë në 101 ose në internet. Ruani numrin e rastit.",
        "Na tregoni më poshtë sa më shpejt. Do ta bllokojmë pajisjen dhe kartën SIM.",
        "Nëse dikush është në rrezik tani, telefononi 999.",
    ]),
}
