"""Español."""

TEXTS = {
    "cannot-sign-in": ("No puedo iniciar sesión", "Qué revisar cuando el portátil no acepta el nombre de usuario o la contraseña.", [
        "Conecte primero el portátil a internet. Algunos portátiles lo necesitan para iniciar sesión.",
        "Escriba el nombre de usuario y la contraseña exactamente como en la carta del colegio. Compruebe que Bloq Mayús está desactivado.",
        "Reinicie el portátil: mantenga pulsado el botón de encendido hasta que se apague y vuelva a encenderlo.",
        "Si sigue sin funcionar, díganoslo abajo. El colegio puede revisar la cuenta.",
    ]),
    "forgotten-password": ("He olvidado mi contraseña", "Cómo conseguir una contraseña nueva para la cuenta escolar del niño.", [
        "No cree una cuenta nueva. El niño debe usar su cuenta del colegio.",
        "En la pantalla de inicio de sesión, elija \"¿Ha olvidado la contraseña?\" si lo ve, y siga los pasos.",
        "Si no lo ve, pida una contraseña nueva al profesor del niño o a la secretaría del colegio.",
        "Apunte la contraseña nueva y guárdela en un lugar seguro.",
    ]),
    "wifi-laptop": ("Conectar el portátil al wifi", "Conéctese al wifi de casa o al wifi del router 4G.", [
        "Encienda el router y espere dos minutos.",
        "En el portátil, seleccione el símbolo del wifi en la esquina de la pantalla y elija el nombre de su red wifi.",
        "Escriba la contraseña del wifi y seleccione Conectar. El nombre y la contraseña del router están en su etiqueta.",
        "Si no se conecta, apague y vuelva a encender el portátil y el router.",
    ]),
    "router-set-up": ("Preparar el router 4G", "Encienda el router y conecte el portátil a él.", [
        "Cargue el router durante una hora antes de usarlo por primera vez. Deje la tarjeta SIM dentro.",
        "Mantenga pulsado el botón de encendido 3 segundos hasta que se enciendan las luces.",
        "En el portátil, elija el nombre de wifi de la etiqueta del router y escriba la contraseña de la etiqueta.",
        "Ponga el router cerca de una ventana: allí la señal suele ser mejor.",
    ]),
    "huawei-e5576-set-up": ("Preparar el router Huawei E5576", "Pasos para el pequeño router 4G Huawei E5576.", [
        "Quite la tapa trasera. Compruebe que la batería y la tarjeta SIM están en su sitio y cierre la tapa.",
        "Mantenga pulsado el botón de encendido 3 segundos hasta que se enciendan las luces.",
        "El nombre del wifi (SSID) y la contraseña (WIFI KEY) están en la pegatina debajo de la tapa trasera. Elija ese nombre en el portátil y escriba la contraseña.",
        "Si la luz de señal está roja, ponga el router cerca de una ventana.",
    ]),
    "data-ran-out": ("Se han acabado los datos de internet", "Qué hacer cuando internet deja de funcionar porque se han gastado los datos del mes.", [
        "Los datos se renuevan cada mes. La fecha está en la carta que recibió con el aparato.",
        "Los vídeos y los juegos gastan muchos datos. Úselos menos mientras queden pocos datos.",
        "Desactive las actualizaciones automáticas en los móviles conectados al router.",
        "Si el niño necesita más datos para el colegio, díganoslo abajo. Podemos pedir más.",
    ]),
    "charging": ("No carga o no se enciende", "Revise el cargador, el enchufe y la batería.", [
        "Use el cargador que venía con el aparato y compruebe que el enchufe está encendido.",
        "Deje el aparato cargando 30 minutos y luego intente encenderlo.",
        "Mantenga pulsado el botón de encendido 15 segundos, suéltelo y vuelva a pulsarlo.",
        "Si el cargador está dañado o se calienta, deje de usarlo y díganoslo abajo.",
    ]),
    "broken-screen": ("La pantalla está rota", "Mantenga a todos a salvo y cuéntenos el daño.", [
        "Si el cristal está roto, deje de usar el aparato. El cristal roto puede cortar.",
        "No intente repararlo usted mismo ni lo lleve a una tienda de reparaciones.",
        "Apague el aparato y guárdelo lejos de los niños pequeños.",
        "Si puede, haga una foto del daño y añádala al formulario de abajo.",
    ]),
    "lost-or-stolen": ("El aparato se ha perdido o lo han robado", "Díganoslo rápido para que podamos bloquear el aparato y su tarjeta SIM.", [
        "Primero busque bien en casa, en el colegio y en las bolsas.",
        "Si lo han robado, denúncielo a la policía en el 101 o por internet. Guarde el número de la denuncia.",
        "Díganoslo abajo lo antes posible. Bloquearemos el aparato y la tarjeta SIM.",
        "Si alguien está en peligro ahora, llame al 999.",
    ]),
}
