"""Build the event-thread pair set (run once: python tests/data/threads/build_set.py).

Stories: the relevant, day-dated stories of the project's earlier labeled sets (never the
blind sets) plus the reports gathered with the search tool below. Events: listed by hand
in EVENTS (docs/threads.md gives the rules); any other story is its own event. Pairs:
every pair inside an event, and hard negatives (shared labeled country, or within 45
days), drawn inside each split. The split is by event, seeded (SEED). Besides,
pairs-across.jsonl: the pairs across the split that share a labeled country within
ACROSS_DAYS days (different events by construction, since the split is by event): two
acts of one country a day or two apart, the hardest negatives, unlabeled until then.
"""

from __future__ import annotations

import json
import random
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
DATA = HERE.parent
SEED = 19
ACROSS_DAYS = 2
SOURCES = (
    "dev-news.jsonl",
    "dev2.jsonl",
    "dev3.jsonl",
    "holdout.jsonl",
    "dev-ukru.jsonl",
    "russia-latam/dev.jsonl",
)

# (id, date, lang, source, url, countries, title, text, note)
SEARCHED: list[tuple[str, str, str, str, str, list[str], str, str, str]] = [
    # Zelensky at Milei's inauguration, Buenos Aires, 10 December 2023
    (
        "t-001",
        "2023-12-11",
        "en",
        "MercoPress",
        "https://en.mercopress.com/2023/12/11/zelensky-becomes-star-guest-at-milei-s-inauguration",
        ["AR"],
        "Zelensky becomes star guest at Milei's inauguration",
        "Among the foreign leaders to attend Javier Milei's inauguration in Buenos Aires, there were two who stood out from the rest. Topping the list was Ukraine's President Volodymyr Zelensky, who is highly dependent on assistance from abroad to fight off Russia's invasion.",
        "",
    ),
    (
        "t-002",
        "2023-12-08",
        "en",
        "MercoPress",
        "https://en.mercopress.com/2023/12/08/ukraine-s-zelensky-attending-milei-s-inauguration",
        ["AR"],
        "Ukraine's Zelensky attending Milei's inauguration",
        "Ukrainian President Volodymyr Zelensky Thursday announced he would be attending Javier Milei's inauguration in Buenos Aires on Dec. 10. His presence will add notoriety to a ceremony to be skipped by Brazil's President Luiz Inácio Lula da Silva.",
        "",
    ),
    (
        "t-003",
        "2023-12-10",
        "en",
        "Archyde",
        "https://archyde.com/zelensky-attends-the-investiture-of-javier-milei-in-buenos-aires-and-holds-bilateral-meetings-with-latin-american-leaders",
        ["AR"],
        "Zelensky participated in the assumption of Milei",
        "The Ukrainian president, Volodímir Zelensky, participated this Sunday in Buenos Aires in the investiture ceremony of Javier Milei as president of Argentina. The visit to Buenos Aires is Zelensky's first trip to Latin America since the war began.",
        "",
    ),
    (
        "t-004",
        "2023-12-10",
        "en",
        "The Kyiv Independent",
        "https://kyivindependent.com/zelensky-arrives-in-argentina-meets-south-american-leaders/",
        ["AR", "PY", "UY", "EC"],
        "Zelensky attends Milei's inauguration, meets with Latin American leaders",
        "President Volodymyr Zelensky arrived in Argentina on Dec. 10 to attend the inauguration of the country's president-elect, Javier Milei. Before the ceremony, Zelensky held consecutive bilateral meetings with the leaders of Paraguay, Uruguay, and Ecuador.",
        "",
    ),
    (
        "t-005",
        "2023-12-10",
        "en",
        "MENAFN (Ukrinform)",
        "https://menafn.com/1107567001/Zelensky-Attends-Argentina-Presidents-Inauguration-Congratulates-Him-On-Election",
        ["AR"],
        "Zelensky Attends Argentina President's Inauguration, Congratulates Him On Election",
        "Today, December 10, the inauguration of the newly elected President of Argentina, Javier Milei, took place in Buenos Aires. President of Ukraine, Volodymyr Zelensky, attended the event, among other foreign guests.",
        "Title from the URL slug.",
    ),
    (
        "t-006",
        "2023-12-10",
        "en",
        "Buenos Aires Times",
        "https://batimes.com.ar/news/argentina/zelenskyy-arrives-in-buenos-aires-for-mileis-inauguration.phtml",
        ["AR"],
        "Zelenskyy arrives in Buenos Aires for Milei's inauguration",
        "Ukrainian leader Volodymyr Zelenskyy has arrived in Buenos Aires ahead of the inauguration of Argentina's president-elect Javier Milei. Zelenskyy, who is making his first trip to Latin America, made stops in Cape Verde and Brazil before arriving in Buenos Aires.",
        "",
    ),
    (
        "t-007",
        "2023-12-10",
        "es",
        "Notiespartano (EFE)",
        "https://notiespartano.com/zelenski-en-argentina-para-investidura-de-milei",
        ["AR"],
        "Zelenski en Argentina para investidura de Milei",
        "El presidente ucraniano, Volodímir Zelenski, arribó este domingo a Buenos Aires para asistir a la ceremonia de investidura de Javier Milei como presidente de Argentina, y, a la llegada, habló con el presidente de Francia, Emmanuel Macron.",
        "Title from the URL slug; date from the EFE dateline 10/12/2023.",
    ),
    (
        "t-008",
        "2023-12-10",
        "ru",
        "Телеграф",
        "https://telegraf.com.ua/mir/2023-12-10/5821831-privetstvovanie-i-iskrennie-obyatiya-zelenskiy-pozdravil-novoizbrannogo-prezidenta-argentiny-so-vstupleniem-v-dolzhnost-video",
        ["AR"],
        "Приветствие и искренние объятия: Зеленский поздравил новоизбранного президента Аргентины со вступлением в должность (видео)",
        "Президент Украины Владимир Зеленский в воскресенье, 10 декабря, посетил инаугурацию новоизбранного президента Аргентины Хавьера Милея. Церемония проходила в здании Конгресса в Буэнос-Айресе.",
        "",
    ),
    (
        "t-009",
        "2023-12-10",
        "ru",
        "Диалог.UA",
        "https://dialog.ua/world/286308_1702226642",
        ["AR"],
        "Инаугурация президента Аргентины: появилось видео теплой встречи Зеленского и Милея",
        "Глава государства Владимир Зеленский, находясь в воскресенье, 10 декабря, с визитом в Аргентине, посетил инаугурацию избранного президента этой страны Хавьера Милея.",
        "",
    ),
    (
        "t-010",
        "2023-12-09",
        "uk",
        "Букви",
        "https://bukvy.org/zelenskyj-vyrushyv-do-argentyny-dlya-uchasti-v-inavguracziyi-novoobranogo-prezydenta",
        ["AR"],
        "Зеленський вирушив до Аргентини для участі в інавгурації новообраного президента",
        "Сьогодні, 9 грудня, президент України Володимир Зеленський вирушив до Аргентини, щоб відвідати інавгурацію Хав’єра Мілея.",
        "Date from the text (Сьогодні, 9 грудня).",
    ),
    (
        "t-011",
        "2024-03-06",
        "uk",
        "Факти",
        "https://fakty.com.ua/ua/svit/20240306-havyer-milej-u-chervni-vidvidaye-ukrayinu-zmi/amp",
        ["AR"],
        "Хав’єр Мілей у червні відвідає Україну – ЗМІ",
        "Президент Аргентини Хав’єр Мілей планує приїхати в Україну вже цього літа. Про це він написав у себе в Х (раніше Twitter), опублікувавши статтю аргентинського медіа Infobae.",
        "",
    ),
    # Brazil refuses ammunition, Lula beside Scholz, Brasília, 30 January 2023
    (
        "t-020",
        "2023-01-30",
        "pt",
        "Valor Econômico",
        "https://valor.globo.com/politica/noticia/2023/01/30/lula-rechaca-enviar-municao-a-ucrania-e-diz-que-brasil-e-pais-de-paz.ghtml",
        ["BR"],
        "Lula rechaça enviar munição à Ucrânia e diz que Brasil é país de paz",
        "O presidente Luiz Inácio Lula da Silva (PT) rechaçou nessa segunda-feira (30) qualquer possibilidade de o Brasil colaborar com munições para que a Ucrânia resista à invasão da Rússia. A afirmação foi feita na presença do chanceler da Alemanha, Olaf Scholz.",
        "Title from the URL slug.",
    ),
    (
        "t-021",
        "2023-01-31",
        "pt",
        "O Cafezinho",
        "https://ocafezinho.com/2023/01/31/lula-diz-que-nao-enviou-municoes-a-ucrania-o-brasil-e-um-pais-de-paz/amp",
        ["BR"],
        "Lula diz que não enviou munições à Ucrânia: o Brasil é um país de paz",
        "Ainda na coletiva de imprensa ao lado do chanceler da Alemanha, Olaf Scholz, o presidente Luiz Inácio Lula da Silva (PT) justificou sua negação para enviar munições brasileiras para a Ucrânia, que está em guerra com a Rússia.",
        "Title from the URL slug.",
    ),
    (
        "t-022",
        "2023-01-30",
        "pt",
        "DNOTICIAS.PT",
        "https://www.dnoticias.pt/2023/1/30/346422-brasil-nao-tem-interesse-em-ceder-municoes-para-guerra/",
        ["BR"],
        "Brasil não tem interesse em ceder munições para guerra",
        "O Presidente brasileiro, Lula da Silva, afirmou hoje, perante o chanceler alemão, que o Brasil não tem qualquer interesse em ceder munições à Ucrânia. A Alemanha pediu ao Brasil que fornecesse munição de tanques para que Berlim as enviasse à Ucrânia.",
        "Title from the URL slug.",
    ),
    (
        "t-023",
        "2023-01-30",
        "en",
        "teleSUR English",
        "https://www.telesurenglish.net/news/Lula-Wont-Send-Arms-to-Ukraine-Brazil-Is-a-Country-of-Peace-20230130-0027.html",
        ["BR"],
        "Lula Won't Send Arms to Ukraine: Brazil Is a Country of Peace",
        "Brazilian President Luiz Inácio Lula da Silva said on Monday after meeting with German Chancellor Olaf Scholz that the South American country will not send ammunition that could be used in the conflict between Russia and Ukraine.",
        "Title from the URL slug.",
    ),
    (
        "t-024",
        "2023-01-31",
        "en",
        "Fourals (DPA)",
        "https://www.fourals.com/2023/01/31/brazilian-president-we-will-not-provide-ammunition-for-german-made-tanks-in-ukraine/",
        ["BR"],
        "Brazilian President: We will not provide ammunition for German-made tanks in Ukraine",
        "Brazilian President Luiz Inacio Lula da Silva said after a meeting with German Chancellor Olaf Scholz in Brasilia on Monday that his country will not provide ammunition for the Leopard battle tanks that Germany recently promised to Ukraine.",
        "Title from the URL slug.",
    ),
    (
        "t-025",
        "2023-01-30",
        "es",
        "El País (Costa Rica), Sputnik",
        "https://www.elpais.cr/2023/01/30/lula-reitera-su-negativa-a-enviar-municiones-para-ucrania-brasil-es-un-pais-de-paz/",
        ["BR"],
        "Lula reitera su negativa a enviar municiones para Ucrania: Brasil es un país de paz",
        "El presidente brasileño Luiz Inácio Lula da Silva reitero el lunes su negativa a enviar municiones que puedan usarse en el conflicto entre Rusia y Ucrania, después de reunirse con el canciller alemán Olaf Scholz.",
        "Title from the URL slug.",
    ),
    (
        "t-026",
        "2023-01-27",
        "pt",
        "Brasil Defesa",
        "https://www.brasildefesa.com.br/2023/lula-nega-venda-de-municao-a-alemanha/",
        ["BR"],
        "Lula nega venda de munição à Alemanha",
        "Lula rejeitou pedido da Alemanha para vender munição para envio a Ucrania nesta sexta-feira (27). Lula recusou o pedido alemão, argumentando que não valia a pena provocar a Rússia.",
        "Title from the URL slug; day from the text (nesta sexta-feira (27)). The report of the internal refusal, before the public one of 30 January.",
    ),
    # UN General Assembly resolution of 23 February 2023
    (
        "t-030",
        "2023-02-23",
        "en",
        "Latin America News",
        "https://latin-american.news/un-general-assembly-demands-immediate-withdrawal-of-russian-troops-from-ukraine/",
        ["PA", "DO", "CL", "EC", "UY", "CU", "BO", "SV", "NI"],
        "UN General Assembly demands “immediate withdrawal” of Russian troops from Ukraine",
        "The General Assembly of the United Nations Organization (UN) issued a resolution calling for the “immediate withdrawal” of Russian troops from Ukraine. A total of 141 countries voted in favor and 7 against, while 32 countries abstained.",
        "",
    ),
    (
        "t-031",
        "2023-02-24",
        "en",
        "Khaosod English (AP)",
        "https://www.khaosodenglish.com/news/2023/02/24/un-approves-resolution-calling-for-russia-to-leave-ukraine/",
        ["NI"],
        "UN Approves Resolution Calling for Russia To Leave Ukraine",
        "The U.N. General Assembly approved a nonbinding resolution Thursday that calls for Russia to end hostilities in Ukraine and withdraw its forces. The resolution passed 141-7, with 32 abstentions. “Many countries representing Latin America, Africa, Asia voted in favor today,” Kuleba said.",
        "",
    ),
    (
        "t-032",
        "2023-02-24",
        "en",
        "Newser",
        "https://www.newser.com/story/331977/get-out-of-ukraine-un-tells-russia.html",
        ["NI"],
        "Get Out of Ukraine, UN Tells Russia",
        "In a lopsided vote, the UN General Assembly approved a resolution Thursday calling for the fighting to stop in Ukraine and Russia to leave the country it invaded a year ago. Only Belarus, North Korea, Syria, Eritrea, Mali, and Nicaragua sided with Russia.",
        "Title from the URL slug.",
    ),
    (
        "t-033",
        "2023-02-23",
        "en",
        "Attention to the Unseen (WSJ)",
        "https://attentiontotheunseen.com/2023/02/23/un-resolution-demanding-russias-immediate-unconditional-withdrawal-from-ukraine-supported-by-141-nations/",
        ["NI"],
        "UN resolution demanding Russia’s immediate, unconditional withdrawal from Ukraine supported by 141 nations",
        "United Nations members called on Russia to withdraw from Ukraine, approving the latest U.S.-backed effort to pressure Moscow a year after the invasion. Besides Russia, the other no votes were Belarus, Eritrea, Mali, Nicaragua, North Korea and Syria.",
        "",
    ),
    (
        "t-034",
        "2023-02-24",
        "en",
        "1lurer.am (AP)",
        "https://1lurer.am/en/2023/02/24/United-Nations-passed-resolution-calling-on-Russia-to-withdraw-its-troops-from-Ukraine-and-end-war/886953",
        ["NI", "VE"],
        "United Nations passed resolution calling on Russia to withdraw its troops from Ukraine and end war",
        "The U.N. General Assembly approved a nonbinding resolution that calls for Russia to end hostilities in Ukraine and withdraw its forces. The seven countries voting against Thursday's resolution were Belarus, Nicaragua, Russia, Syria, North Korea, Eritrea and Mali.",
        "Title from the URL slug.",
    ),
    (
        "t-035",
        "2023-02-23",
        "pt",
        "Metrópoles",
        "https://metropoles.com/mundo/com-voto-do-brasil-onu-aprova-resolucao-pelo-fim-da-guerra-da-ucrania",
        ["BR", "NI"],
        "Com voto do Brasil, ONU aprova resolução pelo fim da Guerra da Ucrânia",
        "A Assembleia das Nações Unidas (ONU) aprovou nesta quinta-feira (23/2) uma resolução demandando que a Rússia encerre as hostilidades contra a Ucrânia e retire suas tropas do país vizinho. A resolução foi aprovada por 141 votos a favor, incluindo o do Brasil, e 7 votos contra.",
        "Day from the text (nesta quinta-feira (23/2)).",
    ),
    (
        "t-036",
        "2023-02-23",
        "pt",
        "DW Brasil",
        "https://www.dw.com/pt-br/onu-aprova-resolu%C3%A7%C3%A3o-que-exige-retirada-russa-da-ucr%C3%A2nia/a-64804329",
        ["BR", "NI", "CU"],
        "ONU aprova resolução que exige retirada russa da Ucrânia",
        "A Assembleia-Geral das Nações Unidas aprovou nesta quinta-feira (23/02), por ampla maioria, uma resolução que exige a retirada imediata e incondicional das tropas russas da Ucrânia. O Brasil votou a favor da resolução.",
        "Title from the URL slug; day from the text (nesta quinta-feira (23/02)).",
    ),
    # The UN General Assembly vote of 2 March 2022 (also 141 votes: a hard negative)
    (
        "t-040",
        "2022-03-02",
        "es",
        "Confidencial",
        "https://confidencial.digital/politica/regimen-de-ortega-se-abstiene-en-condena-de-la-onu-contra-rusia/",
        ["NI", "CU", "SV"],
        "Régimen de Ortega se abstiene en condena de la ONU contra Rusia",
        "El régimen de Daniel Ortega y Rosario Murillo se abstuvo de votar la resolución, aprobada por la Asamblea General de la Organización de las Naciones Unidas (ONU), en la que se condena la invasión dirigida por el presidente de Rusia, Vladimir Putin, en Ucrania.",
        "Title from the URL slug; date line 2 de marzo 2022.",
    ),
    (
        "t-041",
        "2022-03-02",
        "es",
        "Metro Puerto Rico (AP)",
        "https://www.metro.pr/noticias/2022/03/02/asamblea-general-de-naciones-unidas-exige-fin-de-la-invasion-rusa-a-ucrania/",
        [],
        "Asamblea General de Naciones Unidas exige fin de la invasión rusa a Ucrania",
        "La Asamblea General de la ONU votó el miércoles para exigir que Rusia detenga su ofensiva en Ucrania y retire todas las tropas. La votación fue de 141 a 5, con 35 abstenciones.",
        "Title from the URL slug.",
    ),
    (
        "t-042",
        "2022-03-02",
        "pt",
        "Sputnik Brasil",
        "https://noticiabrasil.net.br/amp/20220302/assembleia-geral-da-onu-aprova-resolucao-contra-operacao-militar-da-russia-na-ucrania-21659080.html",
        ["BR", "CU", "NI"],
        "Assembleia Geral da ONU aprova resolução contra operação militar da Rússia na Ucrânia",
        "Foram 141 votos a favor da resolução, 35 abstenções e apenas cinco votos contrários. O Brasil votou a favor do texto, seguindo as posições anteriores no Conselho de Segurança da ONU.",
        "Title from the URL slug.",
    ),
    (
        "t-043",
        "2022-03-24",
        "pt",
        "Valor Econômico",
        "https://valor.globo.com/mundo/noticia/2022/03/24/com-ajuda-do-brasil-onu-aprova-resolucao-que-responsabiliza-russia-por-crise-humanitaria-na-ucrania.ghtml",
        ["BR"],
        "Com ajuda do Brasil, ONU aprova resolução que responsabiliza Rússia por crise humanitária na Ucrânia",
        "O texto foi aprovado por 140 votos a favor, entre eles o do Brasil, e cinco contrários - Belarus, Coreia do Norte, Eritreia, Síria e a própria Rússia. China e outros 37 países se abstiveram.",
        "Title from the URL slug.",
    ),
    (
        "t-044",
        "2022-10-13",
        "es",
        "Despacho 505",
        "https://www.despacho505.com/nacionales/11551-nicaragua-rusia-ucrania-votacion-en-la-onu/",
        ["NI"],
        "La dictadura de Nicaragua apoya la anexión de territorios de Ucrania a Rusia frente al rechazo internacional",
        "Con 143 votos a favor y solamente cinco en contra, entre ellos el de Nicaragua, la Asamblea General de la ONU aprobó una resolución que condena la “anexión ilegal” a Rusia de cuatro regiones de Ucrania.",
        "",
    ),
    # Lula and Zelensky's video call, 2 March 2023
    (
        "t-050",
        "2023-03-02",
        "en",
        "The Kyiv Independent",
        "https://kyivindependent.com/news-feed/zelensky-discusses-diplomatic-solutions-to-war-with-brazils-lula",
        ["BR"],
        "Zelensky holds call with Brazilian president, talks about peace plan",
        "President Volodymyr Zelensky spoke with Brazilian President Luiz Inácio Lula da Silva on a call about Ukraine's peace plan and diplomatic strategies to end Russian aggression. Zelensky expressed his gratitude to Lula for backing Ukraine's UN resolution.",
        "",
    ),
    (
        "t-051",
        "2023-03-02",
        "pt",
        "Itatiaia",
        "https://www.itatiaia.com.br/politica/2023/03/02/lula-conversa-com-zelensky-e-cita-esforcos-para-busca-pela-paz",
        ["BR"],
        "Lula conversa com Zelensky e cita esforços para busca pela paz",
        "O presidente Luiz Inácio Lula da Silva (PT) conversou, na tarde desta quinta-feira (2), por videoconferência, com o presidente da Ucrânia, Volodymyr Zelensky. Durante a conversa, o ucraniano lembrou que Lula foi ao país do Leste europeu em duas ocasiões.",
        "Title from the URL slug.",
    ),
    (
        "t-052",
        "2023-03-03",
        "en",
        "Latin America News",
        "https://latin-american.news/lula-talks-with-zelensky-about-war-in-ukraine",
        ["BR"],
        "Lula talks with Zelensky about war in Ukraine",
        "President Luiz Inácio Lula da Silva spoke this Thursday (2nd), via a video call, with the President of Ukraine, Volodymyr Zelensky. “I just had a video meeting with the president of Ukraine, Zelensky. I reaffirmed Brazil's desire to talk to other countries and participate in any initiative around the construction of peace and dialogue.”",
        "",
    ),
    (
        "t-053",
        "2023-03-02",
        "pt",
        "MA24horas",
        "https://ma24horas.com/politica/lula-conversa-com-zelensky-sobre-guerra-na-ucrania/",
        ["BR", "MX"],
        "Lula conversa com Zelensky sobre guerra na Ucrânia",
        "O presidente Luiz Inácio Lula da Silva conversou nesta quinta-feira (2), por meio de uma uma videochamada, com o presidente da Ucrânia, Volodymyr Zelensky. Nessa quarta-feira (1º), Lula também conversou por telefone com o presidente do México, Andrés Manuel Lopez Obrador.",
        "Title from the URL slug; day from the text (nesta quinta-feira (2)).",
    ),
    (
        "t-054",
        "2023-03-02",
        "pt",
        "Correio do Povo",
        "https://www.correiodopovo.com.br/notícias/política/após-conversa-com-zelenski-lula-afirma-que-guerra-não-pode-interessar-a-ninguém-1.994802",
        ["BR"],
        "Após conversa com Zelenski, Lula afirma que guerra não pode interessar a ninguém",
        "O presidente Luiz Inácio Lula da Silva (PT) conversou na tarde desta quinta-feira (2) com Volodymyr Zelenski, presidente da Ucrânia. É a primeira vez que os dois chefes de Estado dialogam desde o início da guerra no Leste Europeu.",
        "Title from the URL slug; day from the text (nesta quinta-feira (2)).",
    ),
    (
        "t-055",
        "2023-03-03",
        "pt",
        "Valor Econômico",
        "https://valor.globo.com/brasil/noticia/2023/03/03/curta.ghtml",
        ["BR"],
        "Lula e Zelensky",
        "O presidente Luiz Inácio Lula da Silva conversou na tarde desta quinta-feira com o presidente da Ucrânia, Volodymyr Zelensky, por telefone. A informação foi confirmada pela Secretaria de Comunicação Social da Presidência.",
        "A brief; its headline is the two names.",
    ),
    (
        "t-056",
        "2023-03-03",
        "en",
        "New York Despatch",
        "https://www.newyorkdespatch.com//news/brazils-lula-discusses-peace-effort-with-zelenskiy-in-video-call202303031235040006//",
        ["BR"],
        "Brazil's Lula discusses peace effort with Zelenskiy in video call",
        "Brazilian President Luiz Inacio Lula da Silva on Thursday told Ukrainian President Volodymyr Zelenskiy that he will encourage countries to join peace talks to end the conflict between Ukraine and Russia.",
        "",
    ),
    (
        "t-057",
        "2023-03-03",
        "en",
        "A News",
        "https://www.anews.com.tr/world/2023/03/03/brazils-lula-discusses-war-in-ukraine-peace-efforts-in-call-with-zelenksy",
        ["BR"],
        "Brazil's Lula discusses war in Ukraine, peace efforts in call with Zelensky",
        "Brazilian President Luiz Inacio Lula da Silva held a video call on Thursday with Ukraine's President Volodymyr Zelensky, during which the leaders discussed Russia's war in Ukraine and the search for peace.",
        "Title from the URL slug.",
    ),
    (
        "t-058",
        "2023-03-05",
        "pt",
        "Estado de Minas",
        "https://www.em.com.br/app/noticia/politica/2023/03/05/interna_politica,1464904/lula-e-rei-charles-iii-devem-conversar-por-telefone-amanha-6-3.shtml",
        ["BR"],
        "Lula e rei Charles III devem conversar por telefone amanhã",
        "O presidente Luiz Inácio Lula da Silva (PT) e o rei Charles III deverão conversar nesta segunda-feira (6/3), por telefone. Já no último dia 2, Lula conversou por videoconferência com o presidente da Ucrânia, Volodymyr Zelenski.",
        "Title from the URL slug. Headline act: the call with Charles III; the Zelensky call is background.",
    ),
    # Lula and Zelensky meet in New York, 20 September 2023
    (
        "t-060",
        "2023-09-20",
        "pt",
        "UOL (Deutsche Welle)",
        "https://noticias.uol.com.br/ultimas-noticias/deutschewelle/2023/09/20/lula-e-zelenski-quebram-o-gelo-em-encontro-em-nova-york.htm",
        ["BR"],
        'Lula e Zelenski "quebram o gelo" em encontro em Nova York',
        "Os presidentes do Brasil, Luiz Inácio Lula da Silva, e da Ucrânia, Volodimir Zelenski, tiveram seu primeiro encontro presencial nesta quarta-feira (20/09), em Nova York.",
        "",
    ),
    (
        "t-061",
        "2023-09-18",
        "pt",
        "Renascença",
        "https://rr.sapo.pt/noticia/mundo/2023/09/18/zelensky-aceita-reunir-se-com-lula-da-silva-em-nova-iorque/347236/",
        ["BR"],
        "Zelensky aceita reunir-se com Lula da Silva em Nova Iorque",
        "Volodymyr Zelensky aceitou reunir-se com Lula da Silva, em Nova Iorque, onde decorre a Assembleia Geral das Nações Unidas (ONU). Este será o primeiro encontro entre ambos, depois de uma chamada telefónica em março.",
        "Title from the URL slug. A preview (rule 2).",
    ),
    (
        "t-062",
        "2023-09-20",
        "pt",
        "O Globo",
        "https://oglobo.globo.com/mundo/noticia/2023/09/20/uma-mesa-de-dialogo-e-muito-mais-barata-do-que-uma-guerra-diz-lula-apos-encontro-com-zelensky.ghtml",
        ["BR"],
        '"Uma mesa de diálogo é muito mais barata do que uma guerra", diz Lula após encontro com Zelensky',
        "O presidente Luiz Inácio Lula da Silva deu mais detalhes sobre a reunião que manteve com o líder ucraniano, Volodymyr Zelensky, na noite desta quarta-feira, em Nova York.",
        "Title from the URL slug.",
    ),
    (
        "t-063",
        "2023-09-20",
        "pt",
        "O Globo",
        "https://oglobo.globo.com/mundo/noticia/2023/09/20/lula-e-zelensky-discutem-construcao-da-paz-no-primeiro-encontro-desde-inicio-de-guerra-na-ucrania.ghtml",
        ["BR"],
        "Lula e Zelensky discutem construção da paz no primeiro encontro desde início de guerra na Ucrânia",
        "Zelensky chegou ao hotel de Lula por uma saída interna sem falar com a imprensa, acompanhado, além de Kuleba, pelo chefe de Gabinete Andriy Yermak. Em março, Lula e Zelensky haviam conversado pela primeira vez por videoconferência.",
        "Title from the URL slug.",
    ),
    (
        "t-064",
        "2023-09-18",
        "pt",
        "UOL (Jamil Chade)",
        "https://noticias.uol.com.br/newsletters/novos-posts/jamil-chade/2023/09/18/zelensky-e-lula-se-reunem-nesta-terca-feira-em-nova-york.htm",
        ["BR"],
        "Zelensky e Lula se reúnem nesta terça-feira em Nova York",
        "Os presidentes da Ucrânia e do Brasil, Volodymyr Zelensky e Luiz Inácio Lula da Silva, se reunirão nesta terça-feira, em Nova York, no que será a primeira conversa bilateral entre os dois líderes de forma presencial.",
        "Title from the URL slug. A preview (rule 2); it gives the wrong weekday.",
    ),
    (
        "t-065",
        "2023-09-18",
        "es",
        "MercoPress",
        "https://es.mercopress.com/2023/09/18/equipo-de-lula-sigue-trabajando-en-encuentro-con-zelensky",
        ["BR"],
        "Equipo de Lula sigue trabajando en encuentro con Zelensky",
        "El presidente brasileño, Luiz Inácio Lula da Silva, habría ofrecido a su homólogo ucraniano, Volodymyr Zelensky, dos huecos en su agenda para mantener una reunión bilateral al margen de la 78ª Asamblea General de las Naciones Unidas.",
        "Title from the URL slug. A preview (rule 2).",
    ),
    # Mexico's peace proposal, September 2022: four acts
    (
        "t-070",
        "2022-09-13",
        "en",
        "BOL News",
        "https://www.bolnews.com/world/2022/09/mexicos-president-trailers-peace-plan-for-ukraine-as-criticizing-the-united-nations/",
        ["MX"],
        "Mexico's president trailers peace plan for Ukraine as criticizing the United Nations",
        "Mexican President Andres Manuel Lopez Obrador says his government will present a peace plan to the United Nations. He has proposed forming a committee made up of Indian Prime Minister Narendra Modi, Pope Francis and U.N. chief Antonio Guterres.",
        "Title from the URL slug. Act: the press conference of Monday 12 September.",
    ),
    (
        "t-071",
        "2022-09-16",
        "en",
        "A News",
        "https://anews.com.tr/world/2022/09/16/mexico-to-propose-ukraine-peace-plan-to-un-general-assembly",
        ["MX"],
        "Mexico to propose Ukraine peace plan to UN General Assembly",
        'Mexico will present a peace plan for Ukraine to the United Nations General Assembly next week, President Andres Manuel Lopez Obrador said Friday. "It\'s a matter of urgently seeking an agreement to stop the war in Ukraine," Lopez Obrador said during a speech marking Mexican Independence Day.',
        "Title from the URL slug. Act: the Independence Day speech of 16 September.",
    ),
    (
        "t-072",
        "2022-09-22",
        "es",
        "MVS Noticias",
        "https://mvsnoticias.com/nacional/2022/9/22/comite-de-mediacion-para-cesar-guerra-en-ucrania-insiste-marcelo-ebrard-ante-la-onu-566187.html",
        ["MX"],
        "Comité de mediación para cesar guerra en Ucrania, insiste Marcelo Ebrard ante la ONU",
        'El canciller, Marcelo Ebrard, insistió este jueves en la integración de un "comité de mediación", integrado por varios Jefes de Estado y de Gobierno, que promueva el cese de la guerra en Ucrania, durante su discurso en la Asamblea General de la ONU.',
        "",
    ),
    (
        "t-073",
        "2022-09-22",
        "es",
        "MVS Noticias",
        "https://mvsnoticias.com/nacional/2022/9/22/ebrard-presenta-propuesta-de-paz-en-ucrania-ante-la-onu-566103.html",
        ["MX"],
        "Ebrard presenta propuesta de paz en Ucrania ante la ONU",
        "Este jueves, el canciller Marcelo Ebrard presentó, ante el Consejo de Seguridad de las Naciones Unidas (ONU) la propuesta de paz que incluye una tregua por cinco años anunciada por el presidente de México, Andrés Manuel López Obrador.",
        "",
    ),
    (
        "t-074",
        "2022-09-22",
        "es",
        "El País",
        "https://elpais.com/internacional/2022-09-22/mexico-propone-formalmente-establecer-un-comite-de-paz-para-ucrania-al-consejo-de-seguridad-de-la-onu.html",
        ["MX"],
        "México propone formalmente establecer un comité de paz para Ucrania al Consejo de Seguridad de la ONU",
        "México, miembro no permanente del Consejo de Seguridad, ha propuesto formalmente este jueves el establecimiento de una comisión internacional de paz para tratar de poner fin a la guerra en Ucrania. El canciller Marcelo Ebrard planteó la propuesta.",
        "",
    ),
    (
        "t-075",
        "2022-09-23",
        "en",
        "El Universal (via ebookingservices)",
        "https://ebookingservices.com/they-welcome-our-peace-proposal-in-ukraine/",
        ["MX"],
        "They welcome our peace proposal in Ukraine",
        "President Andrés Manuel López Obrador assured that Ukraine welcomes the peace proposal made by Mexico at the UN to find a way out of the war with Russia. During the UN General Assembly, the Secretary of Foreign Affairs, Marcelo Ebrard, met with the Minister of Foreign Affairs of Ukraine, Dmytro Kuleba.",
        "Dateline MEXICO CITY, September 23 (EL UNIVERSAL). A follow-up (rule 3).",
    ),
    (
        "t-076",
        "2022-09-01",
        "pt",
        "UOL (ANSA)",
        "https://noticias.uol.com.br/ultimas-noticias/ansa/2022/09/01/mexico-propoe-papa-como-mediador-entre-russia-e-ucrania.htm",
        ["MX"],
        "México propõe Papa como mediador entre Rússia e Ucrânia",
        "O México vai propor às Nações Unidas a criação de um comitê formado pelo secretário-geral António Guterres, pelo papa Francisco e pelo premiê da Índia, Narendra Modi, para mediar uma solução para a guerra entre Rússia e Ucrânia.",
        "Act: the plan discussed with the UN ambassador on 31 August.",
    ),
]

# Multi-story events: name -> (story ids, why). Every other story is its own event.
EVENTS: dict[str, tuple[list[str], str]] = {
    "zelensky-milei-inauguration-2023-12-10": (
        ["t-001", "t-002", "t-003", "t-004", "t-005", "t-006", "t-007", "t-008", "t-009", "t-010"],
        "Zelensky at Milei's inauguration; previews and the trip there count (rule 2)",
    ),
    "milei-to-visit-ukraine-2024-03-06": (
        ["t-011", "u-010"],
        "Milei says he will visit Ukraine in June",
    ),
    "brazil-ammunition-refusal-2023-01-30": (
        ["t-020", "t-021", "t-022", "t-023", "t-024", "t-025", "h019"],
        "Lula refuses ammunition beside Scholz in Brasília",
    ),
    "unga-withdrawal-vote-2023-02-23": (
        ["t-030", "t-031", "t-032", "t-033", "t-034", "t-035", "t-036", "h027"],
        "UN General Assembly resolution ES-11/6",
    ),
    "unga-condemnation-vote-2022-03-02": (
        ["t-040", "t-041", "t-042", "e053", "rd126", "rd122"],
        "UN General Assembly resolution ES-11/1",
    ),
    "unga-humanitarian-vote-2022-03-24": (
        ["t-043", "e036"],
        "UN General Assembly resolution ES-11/2",
    ),
    "unga-annexation-vote-2022-10-12": (
        ["t-044", "h081"],
        "UN General Assembly resolution ES-11/4",
    ),
    "lula-zelensky-call-2023-03-02": (
        ["t-050", "t-051", "t-052", "t-053", "t-054", "t-055", "t-056", "t-057"],
        "the first Lula–Zelensky video call",
    ),
    "lula-zelensky-new-york-2023-09-20": (
        ["t-060", "t-061", "t-062", "t-063", "t-064", "t-065", "e038", "d3-093", "h022"],
        "the first in-person Lula–Zelensky meeting, UN sidelines",
    ),
    "mexico-plan-at-un-2022-09-22": (
        ["t-072", "t-073", "t-074", "d3-043"],
        "Ebrard presents the plan at the UN (Security Council and Assembly, same day)",
    ),
    "mexico-rules-out-sanctions-2022-03-01": (
        ["e010", "h078", "u-043"],
        "AMLO rules out sanctions on Russia",
    ),
    "brazil-humanitarian-visa-2022-03-03": (["e003", "h003"], "Brazil's humanitarian visa decree"),
    "oas-suspends-russia-2022-04-21": (
        ["e046", "h011", "rd123", "rd127"],
        "OAS suspends Russia as observer",
    ),
    "lula-time-interview-2022-05-04": (["e026", "h076"], "Lula's Time interview"),
    "diaz-canel-in-moscow-2022-11-22": (
        ["e066", "rd004", "rd055", "rd099"],
        "Díaz-Canel's visit to Putin",
    ),
    "zelensky-wants-latam-summit-2023-02-25": (["d033", "d3-017"], "Zelensky's wish for a summit"),
    "lavrov-in-brasilia-2023-04-17": (
        ["e078", "d3-033", "h082", "rd056", "rd119"],
        "Lavrov's visit to Brazil",
    ),
    "amorim-in-kyiv-2023-05-10": (["e016", "h039"], "Amorim received by Zelensky"),
    "hiroshima-no-meeting-2023-05-21": (
        ["d099", "h065"],
        "Lula and Zelensky do not meet at the G7",
    ),
    "eu-celac-declaration-2023-07-18": (
        ["e021", "h086"],
        "EU–CELAC summit declaration; Nicaragua refuses",
    ),
    "cuba-trafficking-network-2023-09-04": (
        ["e025", "rd111", "d3-025", "rd017"],
        "Cuba uncovers the recruiting network (the arrests, rd001, are a follow-up)",
    ),
    "russian-troops-in-mexican-parade-2023-09-16": (
        ["e030", "h069", "d064"],
        "Ukraine protests the parade",
    ),
    "brazil-china-six-points-2024-05-23": (
        ["e012", "d3-040", "h033"],
        "the joint six-point proposal",
    ),
    "arce-visit-to-russia-2024-06-04": (
        ["rd070", "rd002", "rd058"],
        "Arce's visit to Russia (rule 2)",
    ),
    "milei-to-skip-peace-summit-2024-06-07": (
        ["d3-011", "d3-010"],
        "reports that Milei would not attend",
    ),
    "russian-warships-in-havana-2024-06-12": (
        ["h077", "rd010"],
        "arrival (the departure, rd130, differs)",
    ),
    "argentina-joins-ramstein-2024-06-13": (
        ["d022", "d3-019", "d3-020", "d3-021"],
        "Argentina joins the UDCG",
    ),
    "petro-withdraws-from-summit-2024-06-14": (
        ["h054", "d3-006", "d3-007"],
        "Petro cancels his trip",
    ),
    "boric-at-burgenstock-2024-06-15": (["e031", "d3-016"], "Boric's part in the summit"),
    "burgenstock-communique-2024-06-16": (["e080", "h071"], "who signed the communiqué"),
    "friends-of-peace-launch-2024-09-27": (
        ["e061", "d3-002", "d3-004", "d3-005", "d3-039"],
        "China and Brazil launch Friends of Peace at the UN",
    ),
    "ukraine-new-embassies-2025-09-22": (
        ["d046", "u-016", "u-017"],
        "Sybiha announces four embassies",
    ),
    "lula-zelensky-new-york-2025-09-24": (
        ["d051", "d3-090", "d3-091", "u-001"],
        "the 2025 meeting",
    ),
    "maduro-military-cooperation-2025-11-03": (
        ["rd007", "rd135"],
        "Maduro's statement on cooperation",
    ),
    "unsc-on-us-strike-venezuela-2026-01-05": (
        ["rd028", "rd041", "rd105"],
        "the emergency UNSC meeting",
    ),
}


def load_reused() -> list[dict[str, Any]]:
    stories = []
    for name in SOURCES:
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            if item.get("relevant") and len(str(item.get("date") or "")) >= 10:
                stories.append(
                    {
                        "id": item["id"],
                        "title": item["title"],
                        "text": item["text"],
                        "source": item.get("source") or "",
                        "date": item["date"][:10],
                        "lang": item.get("lang") or "",
                        "url": item.get("url"),
                        "origin": name,
                        "countries": list(item.get("countries") or []),
                    }
                )
    return stories


def searched() -> list[dict[str, Any]]:
    return [
        {
            "id": sid,
            "title": title,
            "text": text,
            "source": source,
            "date": day,
            "lang": lang,
            "url": url,
            "origin": "search",
            "countries": countries,
            **({"note": note} if note else {}),
        }
        for sid, day, lang, source, url, countries, title, text, note in SEARCHED
    ]


def split_events(event_of: dict[str, str]) -> set[str]:
    """The test events: shuffled with SEED, taken until they hold a third of the stories."""
    sizes: dict[str, int] = {}
    for event in event_of.values():
        sizes[event] = sizes.get(event, 0) + 1
    events = sorted(sizes)
    random.Random(SEED).shuffle(events)
    test: set[str] = set()
    held = 0
    for event in events:
        if held >= len(event_of) / 3:
            break
        test.add(event)
        held += sizes[event]
    return test


def main() -> None:
    stories = load_reused() + searched()
    by_id: dict[str, dict[str, Any]] = {str(s["id"]): s for s in stories}
    assert len(by_id) == len(stories), "duplicate ids"
    event_of = {str(s["id"]): str(s["id"]) for s in stories}
    for name, (ids, _why) in EVENTS.items():
        for sid in ids:
            assert sid in by_id, sid
            event_of[sid] = name
    test_events = split_events(event_of)
    split_of = {sid: "test" if ev in test_events else "dev" for sid, ev in event_of.items()}
    pairs: dict[str, list[dict[str, Any]]] = {"dev": [], "test": [], "across": []}
    ids = sorted(by_id)
    for a, b in combinations(ids, 2):
        same = event_of[a] == event_of[b]
        sa, sb = by_id[a], by_id[b]
        days = abs((date.fromisoformat(str(sa["date"])) - date.fromisoformat(str(sb["date"]))).days)
        shared = set(sa["countries"]) & set(sb["countries"])
        if split_of[a] != split_of[b]:
            assert not same, (a, b)
            if shared and days <= ACROSS_DAYS:
                pairs["across"].append({"a": a, "b": b, "same_event": False})
            continue
        if same or shared or days <= 45:
            pairs[split_of[a]].append({"a": a, "b": b, "same_event": same})
    with (HERE / "stories.jsonl").open("w", encoding="utf-8") as out:
        for s in sorted(stories, key=lambda s: (str(s["date"]), str(s["id"]))):
            row = {k: v for k, v in s.items() if k != "countries"}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    with (HERE / "labels.jsonl").open("w", encoding="utf-8") as out:
        for sid in ids:
            row = {
                "id": sid,
                "event": event_of[sid],
                "split": split_of[sid],
                "countries": by_id[sid]["countries"],
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    for name in ("dev", "test", "across"):
        with (HERE / f"pairs-{name}.jsonl").open("w", encoding="utf-8") as out:
            for p in pairs[name]:
                out.write(json.dumps(p) + "\n")
    with (HERE / "pairs.jsonl").open("w", encoding="utf-8") as out:
        for p in pairs["dev"] + pairs["test"]:
            out.write(json.dumps(p) + "\n")
    for name in ("dev", "test"):
        pos = sum(1 for p in pairs[name] if p["same_event"])
        n = sum(1 for s in split_of.values() if s == name)
        print(f"{name}: {n} stories, {len(pairs[name])} pairs, {pos} same-event")
    print(f"across the split: {len(pairs['across'])} pairs, none the same event")


if __name__ == "__main__":
    main()
