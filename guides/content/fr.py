"""Français."""

TEXTS = {
    "cannot-sign-in": ("Je n'arrive pas à me connecter", "Que vérifier quand l'ordinateur portable refuse le nom d'utilisateur ou le mot de passe.", [
        "Connectez d'abord l'ordinateur à internet. Certains ordinateurs en ont besoin pour la connexion.",
        "Tapez le nom d'utilisateur et le mot de passe exactement comme sur la lettre de l'école. Vérifiez que la touche Verr Maj est désactivée.",
        "Redémarrez l'ordinateur : maintenez le bouton d'alimentation jusqu'à ce qu'il s'éteigne, puis rallumez-le.",
        "Si cela ne marche toujours pas, dites-le-nous ci-dessous. L'école peut vérifier le compte.",
    ]),
    "forgotten-password": ("J'ai oublié mon mot de passe", "Comment obtenir un nouveau mot de passe pour le compte scolaire de l'enfant.", [
        "Ne créez pas de nouveau compte. L'enfant doit utiliser son compte de l'école.",
        "Sur l'écran de connexion, choisissez « Mot de passe oublié » si vous le voyez, et suivez les étapes.",
        "Si vous ne le voyez pas, demandez un nouveau mot de passe à l'enseignant de l'enfant ou au secrétariat de l'école.",
        "Notez le nouveau mot de passe et gardez-le en lieu sûr.",
    ]),
    "wifi-laptop": ("Connecter l'ordinateur au Wi-Fi", "Connectez-vous au Wi-Fi de la maison ou au Wi-Fi du routeur 4G.", [
        "Allumez le routeur et attendez deux minutes.",
        "Sur l'ordinateur, sélectionnez le symbole Wi-Fi dans le coin de l'écran et choisissez le nom de votre Wi-Fi.",
        "Tapez le mot de passe du Wi-Fi et sélectionnez Se connecter. Le nom et le mot de passe Wi-Fi du routeur sont sur son étiquette.",
        "Si la connexion échoue, éteignez puis rallumez l'ordinateur et le routeur.",
    ]),
    "router-set-up": ("Installer le routeur 4G", "Allumez le routeur et connectez-y l'ordinateur.", [
        "Chargez le routeur pendant une heure avant la première utilisation. Laissez la carte SIM à l'intérieur.",
        "Maintenez le bouton d'alimentation 3 secondes, jusqu'à ce que les voyants s'allument.",
        "Sur l'ordinateur, choisissez le nom Wi-Fi écrit sur l'étiquette du routeur et tapez le mot de passe de l'étiquette.",
        "Placez le routeur près d'une fenêtre : le signal y est souvent meilleur.",
    ]),
    "huawei-e5576-set-up": ("Installer le routeur Huawei E5576", "Les étapes pour le petit routeur 4G Huawei E5576.", [
        "Retirez le couvercle arrière. Vérifiez que la batterie et la carte SIM sont en place, puis refermez.",
        "Maintenez le bouton d'alimentation 3 secondes, jusqu'à ce que les voyants s'allument.",
        "Le nom du Wi-Fi (SSID) et le mot de passe (WIFI KEY) sont sur l'autocollant sous le couvercle arrière. Choisissez ce nom sur l'ordinateur et tapez le mot de passe.",
        "Si le voyant du signal est rouge, placez le routeur près d'une fenêtre.",
    ]),
    "data-ran-out": ("Les données internet sont épuisées", "Que faire quand internet s'arrête parce que les données du mois sont épuisées.", [
        "Les données repartent chaque mois. La date figure sur la lettre reçue avec l'appareil.",
        "Les vidéos et les jeux consomment beaucoup de données. Utilisez-les moins quand il en reste peu.",
        "Désactivez les mises à jour automatiques sur les téléphones connectés au routeur.",
        "Si l'enfant a besoin de plus de données pour l'école, dites-le-nous ci-dessous. Nous pouvons en demander plus.",
    ]),
    "charging": ("Il ne charge pas ou ne s'allume pas", "Vérifiez le chargeur, la prise et la batterie.", [
        "Utilisez le chargeur fourni avec l'appareil et vérifiez que la prise fonctionne.",
        "Laissez l'appareil charger 30 minutes, puis essayez de l'allumer.",
        "Maintenez le bouton d'alimentation 15 secondes, relâchez-le, puis appuyez de nouveau.",
        "Si le chargeur est abîmé ou chauffe, ne l'utilisez plus et dites-le-nous ci-dessous.",
    ]),
    "broken-screen": ("L'écran est cassé", "Protégez tout le monde et décrivez-nous les dégâts.", [
        "Si la vitre est fissurée, n'utilisez plus l'appareil. Le verre cassé peut couper.",
        "N'essayez pas de le réparer vous-même et ne l'apportez pas chez un réparateur.",
        "Éteignez l'appareil et gardez-le loin des jeunes enfants.",
        "Si vous pouvez, prenez une photo des dégâts et ajoutez-la au formulaire ci-dessous.",
    ]),
    "lost-or-stolen": ("L'appareil est perdu ou volé", "Prévenez-nous vite pour que nous bloquions l'appareil et sa carte SIM.", [
        "Cherchez d'abord bien à la maison, à l'école et dans les sacs.",
        "S'il a été volé, signalez-le à la police au 101 ou en ligne. Gardez le numéro de plainte.",
        "Prévenez-nous ci-dessous le plus vite possible. Nous bloquerons l'appareil et la carte SIM.",
        "Si quelqu'un est en danger maintenant, appelez le 999.",
    ]),
}
