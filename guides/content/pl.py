"""Polski."""

TEXTS = {
    "cannot-sign-in": ("Nie mogę się zalogować", "Co sprawdzić, gdy laptop nie przyjmuje nazwy użytkownika lub hasła.", [
        "Najpierw połącz laptopa z internetem. Niektóre laptopy potrzebują go do logowania.",
        "Wpisz nazwę użytkownika i hasło dokładnie tak, jak w liście ze szkoły. Sprawdź, czy Caps Lock jest wyłączony.",
        "Uruchom laptopa ponownie: przytrzymaj przycisk zasilania, aż się wyłączy, a potem go włącz.",
        "Jeśli nadal nie działa, napisz do nas poniżej. Szkoła może sprawdzić konto.",
    ]),
    "forgotten-password": ("Nie pamiętam hasła", "Jak dostać nowe hasło do szkolnego konta dziecka.", [
        "Nie zakładaj nowego konta. Dziecko musi używać swojego konta szkolnego.",
        "Na ekranie logowania wybierz „Nie pamiętasz hasła?”, jeśli widzisz tę opcję, i wykonaj kolejne kroki.",
        "Jeśli jej nie widzisz, poproś nauczyciela dziecka lub sekretariat szkoły o nowe hasło.",
        "Zapisz nowe hasło i trzymaj je w bezpiecznym miejscu.",
    ]),
    "wifi-laptop": ("Połącz laptopa z Wi-Fi", "Połącz się z domowym Wi-Fi albo z Wi-Fi routera 4G.", [
        "Włącz router i poczekaj dwie minuty.",
        "Na laptopie wybierz symbol Wi-Fi w rogu ekranu i wybierz nazwę swojej sieci Wi-Fi.",
        "Wpisz hasło do Wi-Fi i wybierz Połącz. Nazwa sieci i hasło routera są na jego naklejce.",
        "Jeśli nie można się połączyć, wyłącz i ponownie włącz laptopa i router.",
    ]),
    "router-set-up": ("Uruchom router 4G", "Włącz router i połącz z nim laptopa.", [
        "Przed pierwszym użyciem ładuj router przez godzinę. Nie wyjmuj z niego karty SIM.",
        "Przytrzymaj przycisk zasilania przez 3 sekundy, aż zapalą się lampki.",
        "Na laptopie wybierz nazwę Wi-Fi z naklejki routera i wpisz hasło z naklejki.",
        "Postaw router blisko okna: tam sygnał jest często lepszy.",
    ]),
    "huawei-e5576-set-up": ("Uruchom router Huawei E5576", "Kroki dla małego routera 4G Huawei E5576.", [
        "Zdejmij tylną klapkę. Sprawdź, czy bateria i karta SIM są na miejscu, i zamknij klapkę.",
        "Przytrzymaj przycisk zasilania przez 3 sekundy, aż zapalą się lampki.",
        "Nazwa Wi-Fi (SSID) i hasło (WIFI KEY) są na naklejce pod tylną klapką. Wybierz tę nazwę na laptopie i wpisz hasło.",
        "Jeśli lampka sygnału świeci na czerwono, przenieś router bliżej okna.",
    ]),
    "data-ran-out": ("Skończyły się dane internetowe", "Co zrobić, gdy internet przestał działać, bo skończył się miesięczny pakiet danych.", [
        "Dane odnawiają się co miesiąc. Datę znajdziesz w liście, który dostałeś z urządzeniem.",
        "Filmy i gry zużywają dużo danych. Korzystaj z nich mniej, gdy zostało mało danych.",
        "Wyłącz automatyczne aktualizacje na telefonach połączonych z routerem.",
        "Jeśli dziecko potrzebuje więcej danych do nauki, napisz do nas poniżej. Możemy poprosić o więcej.",
    ]),
    "charging": ("Nie ładuje się lub nie włącza", "Sprawdź ładowarkę, gniazdko i baterię.", [
        "Używaj ładowarki dołączonej do urządzenia i sprawdź, czy gniazdko jest włączone.",
        "Ładuj urządzenie przez 30 minut, a potem spróbuj je włączyć.",
        "Przytrzymaj przycisk zasilania przez 15 sekund, puść go i naciśnij ponownie.",
        "Jeśli ładowarka jest uszkodzona lub się nagrzewa, przestań jej używać i napisz do nas poniżej.",
    ]),
    "broken-screen": ("Ekran jest zepsuty", "Zadbaj o bezpieczeństwo wszystkich i powiedz nam o uszkodzeniu.", [
        "Jeśli szkło jest pęknięte, przestań używać urządzenia. Potłuczone szkło może skaleczyć.",
        "Nie próbuj naprawiać go samodzielnie ani nie oddawaj do serwisu.",
        "Wyłącz urządzenie i trzymaj je z dala od małych dzieci.",
        "Jeśli możesz, zrób zdjęcie uszkodzenia i dodaj je do formularza poniżej.",
    ]),
    "lost-or-stolen": ("Urządzenie zgubiono lub skradziono", "Powiedz nam szybko, abyśmy mogli zablokować urządzenie i jego kartę SIM.", [
        "Najpierw dokładnie poszukaj w domu, w szkole i w torbach.",
        "Jeśli zostało skradzione, zgłoś to na policję pod numerem 101 lub przez internet. Zachowaj numer zgłoszenia.",
        "Napisz do nas poniżej jak najszybciej. Zablokujemy urządzenie i kartę SIM.",
        "Jeśli ktoś jest teraz w niebezpieczeństwie, zadzwoń pod 999.",
    ]),
}
