"""Português."""

TEXTS = {
    "cannot-sign-in": ("Não consigo iniciar sessão", "O que verificar quando o portátil não aceita o nome de utilizador ou a palavra-passe.", [
        "Ligue primeiro o portátil à internet. Alguns portáteis precisam dela para iniciar sessão.",
        "Escreva o nome de utilizador e a palavra-passe exatamente como na carta da escola. Verifique se o Caps Lock está desligado.",
        "Reinicie o portátil: mantenha o botão de ligar premido até desligar e depois ligue-o de novo.",
        "Se ainda não funcionar, diga-nos abaixo. A escola pode verificar a conta.",
    ]),
    "forgotten-password": ("Esqueci-me da palavra-passe", "Como obter uma nova palavra-passe para a conta escolar da criança.", [
        "Não crie uma conta nova. A criança tem de usar a sua conta da escola.",
        "No ecrã de início de sessão, escolha \"Esqueceu-se da palavra-passe?\" se a vir, e siga os passos.",
        "Se não a vir, peça uma nova palavra-passe ao professor da criança ou à secretaria da escola.",
        "Escreva a nova palavra-passe e guarde-a num lugar seguro.",
    ]),
    "wifi-laptop": ("Ligar o portátil ao Wi-Fi", "Ligue-se ao Wi-Fi de casa ou ao Wi-Fi do router 4G.", [
        "Ligue o router e espere dois minutos.",
        "No portátil, selecione o símbolo do Wi-Fi no canto do ecrã e escolha o nome da sua rede Wi-Fi.",
        "Escreva a palavra-passe do Wi-Fi e selecione Ligar. O nome e a palavra-passe do router estão na etiqueta dele.",
        "Se não ligar, desligue e volte a ligar o portátil e o router.",
    ]),
    "router-set-up": ("Preparar o router 4G", "Ligue o router e ligue o portátil a ele.", [
        "Carregue o router durante uma hora antes de o usar pela primeira vez. Deixe o cartão SIM dentro dele.",
        "Mantenha o botão de ligar premido durante 3 segundos até as luzes acenderem.",
        "No portátil, escolha o nome de Wi-Fi que está na etiqueta do router e escreva a palavra-passe da etiqueta.",
        "Ponha o router perto de uma janela: o sinal costuma ser melhor aí.",
    ]),
    "huawei-e5576-set-up": ("Preparar o router Huawei E5576", "Passos para o pequeno router 4G Huawei E5576.", [
        "Retire a tampa de trás. Verifique se a bateria e o cartão SIM estão no sítio e feche a tampa.",
        "Mantenha o botão de ligar premido durante 3 segundos até as luzes acenderem.",
        "O nome do Wi-Fi (SSID) e a palavra-passe (WIFI KEY) estão no autocolante debaixo da tampa de trás. Escolha esse nome no portátil e escreva a palavra-passe.",
        "Se a luz do sinal estiver vermelha, ponha o router perto de uma janela.",
    ]),
    "data-ran-out": ("Os dados de internet acabaram", "O que fazer quando a internet para porque os dados do mês acabaram.", [
        "Os dados recomeçam todos os meses. A data está na carta que recebeu com o aparelho.",
        "Vídeos e jogos gastam muitos dados. Use-os menos enquanto houver poucos dados.",
        "Desligue as atualizações automáticas nos telemóveis ligados ao router.",
        "Se a criança precisar de mais dados para a escola, diga-nos abaixo. Podemos pedir mais.",
    ]),
    "charging": ("Não carrega ou não liga", "Verifique o carregador, a tomada e a bateria.", [
        "Use o carregador que veio com o aparelho e verifique se a tomada está ligada.",
        "Deixe o aparelho a carregar durante 30 minutos e depois tente ligá-lo.",
        "Mantenha o botão de ligar premido durante 15 segundos, solte-o e prima-o de novo.",
        "Se o carregador estiver danificado ou aquecer, deixe de o usar e diga-nos abaixo.",
    ]),
    "broken-screen": ("O ecrã está partido", "Mantenha todos em segurança e fale-nos do estrago.", [
        "Se o vidro estiver rachado, deixe de usar o aparelho. O vidro partido pode cortar.",
        "Não tente repará-lo sozinho nem o leve a uma loja de reparações.",
        "Desligue o aparelho e mantenha-o longe de crianças pequenas.",
        "Se puder, tire uma fotografia do estrago e junte-a ao formulário abaixo.",
    ]),
    "lost-or-stolen": ("O aparelho foi perdido ou roubado", "Diga-nos depressa para podermos bloquear o aparelho e o cartão SIM.", [
        "Primeiro procure bem em casa, na escola e nas mochilas.",
        "Se foi roubado, comunique à polícia pelo 101 ou pela internet. Guarde o número da queixa.",
        "Diga-nos abaixo o mais depressa possível. Vamos bloquear o aparelho e o cartão SIM.",
        "Se alguém estiver em perigo agora, ligue para o 999.",
    ]),
}
