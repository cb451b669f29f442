"""English: the guides' definitions and their source text."""

GUIDES = [
    {"slug": "cannot-sign-in", "problem": "sign_in", "device_kind": "laptop", "order": 10},
    {"slug": "forgotten-password", "problem": "password", "device_kind": "laptop", "order": 20},
    {"slug": "wifi-laptop", "problem": "wifi", "device_kind": "laptop", "order": 30},
    {"slug": "router-set-up", "problem": "wifi", "device_kind": "router", "order": 31},
    {"slug": "huawei-e5576-set-up", "problem": "wifi", "device_kind": "router", "device_make": "Huawei", "device_model": "E5576", "order": 32},
    {"slug": "data-ran-out", "problem": "data", "device_kind": "", "order": 40},
    {"slug": "charging", "problem": "charger", "device_kind": "", "order": 50},
    {"slug": "broken-screen", "problem": "screen", "device_kind": "laptop", "order": 60},
    {"slug": "lost-or-stolen", "problem": "lost", "device_kind": "", "order": 70},
]

TEXTS = {
    "cannot-sign-in": ("I cannot sign in", "What to check when the laptop does not accept the username or password.", [
        "Connect the laptop to the internet first. Some laptops need it to sign in.",
        "Type the username and password exactly as on the letter from the school. Check that Caps Lock is off.",
        "Restart the laptop: hold the power button until it turns off, then turn it on.",
        "If it still does not work, tell us below. The school can check the account.",
    ]),
    "forgotten-password": ("I forgot my password", "How to get a new password for the child's school account.", [
        "Do not make a new account. The child must use their school account.",
        "On the sign-in screen, choose \"Forgot password\" if you see it, and follow the steps.",
        "If you do not see it, ask the child's teacher or the school office for a new password.",
        "Write the new password down and keep it in a safe place.",
    ]),
    "wifi-laptop": ("Connect the laptop to Wi-Fi", "Join your home Wi-Fi or the Wi-Fi of the 4G router.", [
        "Turn on the router and wait two minutes.",
        "On the laptop, select the Wi-Fi symbol in the corner of the screen and choose your Wi-Fi name.",
        "Type the Wi-Fi password and select Connect. A router's Wi-Fi name and password are on its label.",
        "If it does not connect, turn the laptop and the router off and on again.",
    ]),
    "router-set-up": ("Set up the 4G router", "Turn on the router and connect the laptop to it.", [
        "Charge the router for one hour before you use it the first time. Leave the SIM card in it.",
        "Hold the power button for 3 seconds until the lights come on.",
        "On the laptop, choose the Wi-Fi name on the router's label and type the password from the label.",
        "Put the router near a window: the signal is often better there.",
    ]),
    "huawei-e5576-set-up": ("Set up the Huawei E5576 router", "Steps for the small Huawei E5576 4G router.", [
        "Take off the back cover. Check that the battery and the SIM card are in place, then close it.",
        "Hold the power button for 3 seconds until the lights come on.",
        "The Wi-Fi name (SSID) and password (WIFI KEY) are on the sticker under the back cover. Choose that name on the laptop and type the password.",
        "If the signal light is red, move the router near a window.",
    ]),
    "data-ran-out": ("The internet data has run out", "What to do when the internet stops because the month's data is used up.", [
        "The data starts again each month. The date is on the letter you got with the device.",
        "Videos and games use a lot of data. Use them less while the data is low.",
        "Turn off automatic updates on phones connected to the router.",
        "If the child needs more data for school work, tell us below. We can ask for more.",
    ]),
    "charging": ("It will not charge or turn on", "Check the charger, the socket and the battery.", [
        "Use the charger that came with the device, and check that the socket is switched on.",
        "Leave the device charging for 30 minutes, then try to turn it on.",
        "Hold the power button for 15 seconds, let go, then press it again.",
        "If the charger is damaged or gets hot, stop using it and tell us below.",
    ]),
    "broken-screen": ("The screen is broken", "Keep everyone safe and tell us about the damage.", [
        "If the glass is cracked, stop using the device. Broken glass can cut.",
        "Do not try to repair it yourself or take it to a repair shop.",
        "Turn the device off and keep it away from small children.",
        "Take a photo of the damage if you can, and add it to the form below.",
    ]),
    "lost-or-stolen": ("The device is lost or stolen", "Tell us quickly so that we can block the device and its SIM card.", [
        "First look carefully at home, at school and in bags.",
        "If it was stolen, report it to the police on 101 or online. Keep the crime number.",
        "Tell us below as soon as you can. We will block the device and the SIM card.",
        "If someone is in danger now, call 999.",
    ]),
}
