"""Two decisions on one clause: did its act happen, and whose act is it.

Why: most false timeline entries on unseen batches (17 of batch 7's 23, 38 of batch 4's
70) were a plan, request, denial or future told as if done, or another state's act read as
the country's. Phrase lists per case ("plans to", "no viajará", "asked") grew story by
story; these two functions read the clause's own verb instead: its tense, mood, modal and
negation (``act_status``) and the state in subject position before it, or the agent of a
passive (``act_party``). No parser (none is installable here for ES/PT/UK/RU): markers per
language on the clause ``clauses.split_clauses`` cut.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.matching.text import fold

HAPPENED = "happened"
ANNOUNCED = "announced"  # a decision told in the future ("will send", "enviará")
PLANNED = "planned"  # a plan, wish, proposal, promise or obligation ("plans to", "deve")
REQUESTED = "requested"  # asked for, invited, urged ("pidió", "invited him to")
DENIED = "denied"  # negated, cancelled, refused, denied ("did not", "canceled")
# possible, unconfirmed, rumoured ("could", "sin confirmación", "el posible envío")
UNCERTAIN = "reported-speech-uncertain"
STATUSES = (HAPPENED, ANNOUNCED, PLANNED, REQUESTED, DENIED, UNCERTAIN)

# Kinds that are encounters: only one that happened is an entry (labeling rule 2). For the
# others a refusal or an announced decision is itself the act ("will not send weapons",
# "will provide aid": batch 4's and 5's written interpretations).
ENCOUNTERS = frozenset({"visit", "call", "meeting"})
_ONE_SIDED_ACTS = frozenset({HAPPENED, ANNOUNCED, DENIED})

# Markers on the folded clause. Requests first: "asked", "invited", "urged", "pidió",
# "convidou", "a proposal received" ("propuso a Argentina"), UK/RU "закликає", "просьба".
REQUEST_RE = re.compile(
    r"\b(?:ask\w*|request\w*|invit\w*|urg\w*|call(?:ed|s)? on|"
    r"appeal\w*|apel[oó]|apelou|apelaron|apelaram|"
    r"pid\w*|solicit\w*|convid\w*|convit\w*|insta\w*|inst[oó]|pedi\w*|pede|"
    r"quer que|queria que|quiere que|wants? \w+ to|"
    r"propos\w* to|propuso a|propone a|propos a|propoe a|"
    r"попрос\w*|запрос\w*|запроси\w*|запит\w*|запроше\w*|приглаш\w*|"
    r"заклика\w*|закликав\w*|призыва\w*|призвал\w*|прохання\w*|просьб\w*|"
    r"просит\w*|просив\w*|просил\w*)\b"
)
# Negation, cancellation, refusal, denial. Portuguese "no" is "in the", so Spanish "no"
# counts before a verb form only, unless the clause is known to be Spanish.
NEGATION_RE = re.compile(
    r"\b(?:not|never|didn't|won't|isn't|wasn't|nao|nunca|"
    r"no (?:se|le|les|lo|la|ha|han|habra|va|van|pudo|podra|fue|hubo|asistio|viajo|firmo|"
    r"participo|voto)|no \w+(?:ara|ira|era|aran|iran|eran)|"
    r"cancel\w*|called off|call off|suspend\w*|suspens\w*|postpon\w*|aplaz\w*|adia\w*|"
    r"fell through|desist\w*|withdr\w*|refus\w*|deni\w*|nego|negou|negaron|rechaz\w*|"
    r"recus\w*|descart\w*|"
    r"не|ні|отмен\w*|скасува\w*|отказ\w*|відмов\w*)\b"
)
# Declining is a refusal too: "Declines to Visit Ukraine".
_REFUSAL_RE = re.compile(r"\b(?:declin\w*|turn(?:s|ed)? down)\b")
# Denying reports, rumours or news of an act ("denied reports of the transfer",
# "desmintió las versiones", "опроверг сообщения") is no refusal: the act is only reported.
_DENIED_REPORTS_RE = re.compile(
    r"\b(?:deni\w*|desment\w*|desmint\w*|neg(?:o|ou|a|am|aram|aron)|спростува\w*|спростову\w*|опроверг\w*|"
    r"опровергл\w*|опровер\w*)\W+(?:\w+\W+){0,2}?"
    r"(?:reports?|rumou?rs?|news|claims?|informes?|versiones|versoes|rumores|noticias|"
    r"relatos|informac\w*|повідомлен\w*|інформаці\w*|чутки|чуток|сообщени\w*|"
    r"информаци\w*|слух\w*)\b"
)
_SPANISH_NO_RE = re.compile(r"\bno (?!solo\b|obstante\b|sin\b|menos\b|mas\b|mucho\b)\w+")
# A plan, a wish, a promise, an obligation or a schedule: the act is still to come.
_PLANNED_RE = re.compile(
    r"\b(?:plans? to|planned|planning|intends? to|expected to|is to|are to|set to|"
    r"scheduled|upcoming|next (?:week|month|year)|to be held|wants? to|wish\w*|hopes? to|"
    r"proposed|proposes|propose|suggested|suggests|propuso|propone|propos|propoe|"
    r"sugirio|sugiere|sugeriu|sugere|предложил\w*|предлагает|запропонува\w*|пропонує|"
    # a hoped-for encounter: "hope for talks", "esperanza de un encuentro", "надежда на
    # переговоры" (not "a meeting that gives hope for peace")
    r"(?:hope|hopes|hoping|esperanzas?|esperancas?|надежд\w*|наді\w*|сподіван\w*)\s+"
    r"(?:for|of|de|en|em|на)\s+(?:(?:a|an|the|un|una|uma|um|nuevas?|novas?|new)\s+)?"
    r"(?:talks|meeting|visit|negotiations|encuentro|reunion|visita|negociaciones|encontro|"
    r"reuniao|negociacoes|conversaciones|conversas|dialogo|переговор\w*|встреч\w*|"
    r"зустріч\w*|візит\w*|визит\w*)|"
    r"must|should|ought to|interested in|interesad\w* en|interessad\w* em|"
    r"futur\w*|agendad\w*|programad\w*|previst\w*|expectativas?|expectations?|"
    r"planea\w*|preve|pretend\w*|proxim[oa]|tiene previsto|planej\w*|quiere\w*|quer\b|"
    r"deve|devem|deveria|deveriam|debe|deben|deberia|deberian|"
    r"планує|планирует|планують|планируют|намерен\w*|збирається|собирается|"
    r"хоче|хочет|зацікавлен\w*|заинтересован\w*|"
    r"має|мають|повинн\w*|должен|должна|должно|должны|следует)\b"
)
# Possible, unconfirmed or only reported: not told as done.
_UNCERTAIN_RE = re.compile(
    r"\b(?:could|might|may|possibly|podria|poderia|podrian|poderiam|"
    # "possible" qualifying an act ("el posible envío", "a possible visit"), not any noun
    r"(?:possible|posible|possivel|possiveis|posibles|eventual)\s+(?:\w+\s+)?"
    r"(?:envi\w*|sending|shipment|donac\w*|doac\w*|donation|transfer\w*|entrega|venta|"
    r"venda|sale|visit\w*|viaje|viagem|trip|reunion|reuniao|encuentro|encontro|meeting|"
    r"compra|purchase|acuerdo|acordo|deal|adhesion|adesao|participa\w*)|"
    # … or after it, before a copula: "o único plano de paz possível é o ucraniano"
    r"(?:possible|posible|possivel)\s+(?:e|es|is|era|was|seria|sera)|"
    r"rumou?r\w*|unconfirmed|sin confirmacion|sem confirmacao|"
    r"todavia sin|ainda sem|"
    r"може|может|можливо|возможно|ймовірно|вероятно)\b"
)
# A future tense or an auxiliary of the future: "will meet", "va a", "vai", "visitará".
_ANNOUNCED_RE = re.compile(
    r"\b(?:will|would|shall|promis\w*|prometi\w*|prometeu|willing|ready to|dispuest\w*|"
    r"disposto|dispost[oa]s?|готов\w*|пообіця\w*|пообеща\w*|обіця\w*|обеща\w*|va a|van a|vai|vao|ira|iran|irao|devera|deverao|sera|seran|serao|"
    r"estara|tendra|habra|"
    r"(?:visit|viaj|reun|particip|asist|firm|vot|envi|recib|encontr|convers|realiz|celebr|"
    r"llam|lig|discut|trat|abord|anunci|present|recorr|habl|assin|receb|dialog|sostend|"
    r"mant|llev|lev|reali|ocurr|ocorr|acontec|inici)"
    r"(?:ara|era|ira|aran|eran|iran|arao|erao|irao)|"
    r"буде|будуть|будет|будут|посетит|посетят|відвідає|відвідають|прибуде|прилетить|"
    r"приедет|приїде|\w+иться|\w+нуться)\b"
)
# UK/RU perfective verbs have no future auxiliary: their present form is the future
# ("надішле", "підтримає", "встретится", "поддержит"), read as done by the markers above.
# The perfective futures of the act verbs (visit, arrive, meet, hold, call, send, supply,
# provide, support, sign, take part, join, vote, sell, buy, impose, discuss, take place),
# per language: Russian "направить" is an infinitive, Ukrainian "направить" a future.
# On the folded clause ("ї" is "і", "ё" is "е").
_RU_PERFECTIVE_FUTURE_RE = re.compile(
    r"\b(?:посет(?:ит|ят)|прибуд(?:ет|ут)|приед(?:ет|ут)|прилет(?:ит|ят)|встрет(?:ит|ят)ся|"
    r"провед(?:ет|ут)|позвон(?:ит|ят)|созвон(?:ит|ят)ся|направ(?:ит|ят)|отправ(?:ит|ят)|"
    r"пришл(?:ет|ют)|переда(?:ст|дут)|постав(?:ит|ят)|предостав(?:ит|ят)|выдел(?:ит|ят)|"
    r"окаж(?:ет|ут)|поддерж(?:ит|ат)|подпиш(?:ет|ут)|прим(?:ет|ут)|присоедин(?:ит|ят)ся|"
    r"войд(?:ет|ут)|проголосу(?:ет|ют)|прода(?:ст|дут)|закуп(?:ит|ят)|введ(?:ет|ут)|"
    r"обсуд(?:ит|ят)|состо(?:ит|ят)ся)\b"
)
_UK_PERFECTIVE_FUTURE_RE = re.compile(
    r"\b(?:відвіда(?:є|ють)|прибуд(?:е|уть)|приід(?:е|уть)|прилет(?:ить|ять)|"
    r"зустрін(?:еться|уться)|провед(?:е|уть)|зателефону(?:є|ють)|надішл(?:е|ють)|"
    r"направ(?:ить|лять)|відправ(?:ить|лять)|переда(?:сть|дуть)|постав(?:ить|лять)|"
    r"нада(?:сть|дуть)|виділ(?:ить|ять)|підтрима(?:є|ють)|підпиш(?:е|уть)|візьм(?:е|уть)|"
    r"приєдна(?:ється|ються)|проголосу(?:є|ють)|прода(?:сть|дуть)|закуп(?:ить|лять)|"
    r"запровад(?:ить|ять)|обговор(?:ить|ять)|відбуд(?:еться|уться))\b"
)
# An accented future the folding hides (ES/PT): "incluirá reuniones", "llegará", "assinarão".
_ACCENTED_FUTURE_RE = re.compile(r"\b\w{3,}(?:ará|erá|irá|arán|erán|irán|arão|erão|irão)\b")
# An English headline's future: "Abinader to attend", "Lula to visit China".
_HEADLINE_FUTURE_RE = re.compile(r"\b[A-Z][\w'’-]* to [a-z]+\b")


def act_status(clause: str, lang: str | None = None, *, headline: bool = False) -> str:
    """Whether the act a clause reports happened, from its verb's mood, modal, tense and
    negation: ``REQUESTED`` (asked, invited), ``DENIED`` (negated, cancelled, refused),
    ``PLANNED`` (plans, wishes, promises, "must"), ``UNCERTAIN`` (possible, unconfirmed),
    ``ANNOUNCED`` (future tense), else ``HAPPENED``. The first that applies wins, in that
    order: "will not send" is a refusal, "asked not to" a request. ``lang`` ("en", "es",
    "pt", "uk", "ru"; None: unknown) lets Spanish "no" negate any verb and the accented and
    headline futures count only where they exist."""
    folded = fold(clause)
    if REQUEST_RE.search(folded):
        return REQUESTED
    if _DENIED_REPORTS_RE.search(folded):
        return UNCERTAIN  # denying reports of an act says nothing was done, nor refused
    if NEGATION_RE.search(folded) or _REFUSAL_RE.search(folded):
        return DENIED
    if lang == "es" and _SPANISH_NO_RE.search(folded):
        return DENIED
    if _PLANNED_RE.search(folded):
        return PLANNED
    if _UNCERTAIN_RE.search(folded):
        return UNCERTAIN
    if _ANNOUNCED_RE.search(folded) or _perfective_future(folded, lang):
        return ANNOUNCED
    if lang in {None, "es", "pt"} and _ACCENTED_FUTURE_RE.search(clause.lower()):
        return ANNOUNCED
    if headline and lang in {None, "en"} and _HEADLINE_FUTURE_RE.search(clause):
        return ANNOUNCED
    return HAPPENED


def _perfective_future(folded: str, lang: str | None) -> bool:
    """Whether a folded UK or RU clause tells its act in the perfective future ("уряд
    надішле допомогу", "президент встретится с Зеленским"): no auxiliary marks it."""
    if lang == "ru":
        return bool(_RU_PERFECTIVE_FUTURE_RE.search(folded))
    if lang == "uk":
        return bool(_UK_PERFECTIVE_FUTURE_RE.search(folded))
    return False  # EN/ES/PT mark the future; an unknown language is not read here


def counts_as_act(kind: str, status: str, value: str | None = None) -> bool:
    """Labeling rule 2 by kind: an encounter (visit, call, meeting; taking part in a peace
    summit with no position stated) counts only when it happened; for the other kinds a
    refusal or an announced decision is the act too, a plan, request or rumour is not;
    proposing a plan of its own (``alternative``) is that act."""
    if kind in ENCOUNTERS or (kind == "peace-plan" and value is None):
        return status == HAPPENED
    if kind == "peace-plan" and value == "alternative":
        return status in _ONE_SIDED_ACTS | {PLANNED}  # proposing its own plan is the act
    return status in _ONE_SIDED_ACTS


# --- whose act -----------------------------------------------------------------------------

FOREIGN = frozenset({"ukraine", "russia"})
OTHER = "other"  # a third state, a bloc, or an agent that is no state ("pela internet")
# A country's people named by a demonym with no state word beside it ("Brasileiros têm sido
# recrutados", "Colombian volunteers"): citizens, not the government (labeling rule 1).
PEOPLE = "people"


@dataclass(frozen=True, slots=True)
class Actor:
    """A state, leader or government named in a clause: where (offsets into the clause)
    and whose (a Latin American state's code, ``ukraine``, ``russia`` or ``OTHER``)."""

    start: int
    end: int
    party: str


# A word right before an actor that makes it an object or a place, not the subject:
# "met with Putin", "llamó a Zelensky", "em Moscou", "против России".
_PREPOSITION_RE = re.compile(
    r"\b(?:with|to|at|in|on|for|from|against|about|toward|towards|between|among|into|"
    r"con|a|al|en|para|contra|sobre|entre|hacia|desde|com|ao|aos|à|em|no|na|nos|nas|"
    r"з|із|зі|до|в|у|на|про|проти|для|с|со|к|ко|о|об|против|между|між)"
    r"\s+(?:[\w'’]+\s+){0,3}$",  # up to three words between, no punctuation
    re.IGNORECASE,
)
# The agent of a passive anywhere before an actor in its clause: "foi recebido nesta
# quarta-feira pelo presidente da Ucrânia, Volodimir Zelenski" (Zelensky is no subject).
_BY_RE = re.compile(r"\b(?:by|por|pelo|pela|pelos|pelas|від|от)\b", re.IGNORECASE)
# Between the states of one subject: "Brazil, Argentina and Chile", "Rusia y Ucrania".
_LIST_GAP_RE = re.compile(r"\W*(?:and|y|e|и|і|й|та|&)?\W*", re.IGNORECASE)
# The agent of a passive, right after the cue or one participle: "sanctions imposed by the
# United States", "recrutados pela internet", "golpeada por sanciones de Estados Unidos".
_AGENT_RE = re.compile(
    r"^\W*(?:\w+\W+){0,2}?(?:by|por|pelo|pela|pelos|pelas|від|от|со стороны)\W+"
    r"(?:(?:the|el|la|los|las|o|a|os|as)\W+)?",
    re.IGNORECASE,
)

# A third state owning a noun cue right after it: "sanciones de Estados Unidos".
_OWNER_RE = re.compile(
    r"^\w+\W+(?:de|of|from|da|do|del|dos|das)\W+(?:(?:the|el|la|los|las|o|a|os|as)\W+)?",
    re.IGNORECASE,
)


def act_agent(clause: str, actors: Sequence[Actor], cue: int) -> str | None:
    """The party named right after the cue as a passive's agent ("recrutados pela
    internet": ``OTHER``, no state; "sanctions imposed by the United States": ``OTHER``;
    "recibido por Putin": ``russia``) or a third state owning it ("sanciones de Estados
    Unidos"); None when there is none."""
    agent = _AGENT_RE.match(clause[cue:])
    if agent is not None and _participle_before_agent(clause[cue : cue + agent.end()]):
        named = [a for a in actors if a.start == cue + agent.end()]
        return named[0].party if named else OTHER
    owner = _OWNER_RE.match(clause[cue:])
    if owner is not None and any(a.start == cue + owner.end() and a.party == OTHER for a in actors):
        return OTHER
    return None


def act_party(clause: str, actors: Sequence[Actor], cue: int) -> tuple[str, ...]:
    """Who performs the act whose cue starts at ``cue`` (an offset into ``clause``): the
    agent of a passive right after the cue (``act_agent``), else the subject, i.e. the
    first actor before the cue that is not a preposition's object ("Zelensky informed Peña
    about the plan": ``ukraine``; "met with Putin" is the object), with the actors listed
    beside it ("Brazil, Argentina and Chile voted"). Empty when the clause names no subject
    before the cue: the caller inherits the sentence's subject."""
    agent = act_agent(clause, actors, cue)
    if agent is not None:
        return (agent,)
    ordered = sorted(actors, key=lambda a: a.start)
    subject: list[str] = []
    last: Actor | None = None
    for actor in ordered:
        if actor.start >= cue:
            break
        if subject and last is not None:
            if _LIST_GAP_RE.fullmatch(clause[last.end : actor.start]):
                subject.append(actor.party)
                last = actor
                continue
            break
        before = clause[: actor.start]
        if _PREPOSITION_RE.search(before[-60:]) or _BY_RE.search(before):
            continue
        subject.append(actor.party)
        last = actor
    if last is not None and _REPORTING_RE.search(clause[last.end : cue]):
        return ()  # the speaker of reported speech, not the act's party
    return tuple(dict.fromkeys(subject))


# A verb of saying between the subject and the cue: the subject reports someone's act
# (not "announced": announcing a decision is making it)
# ("Washington explicou que as armas … seriam enviadas", "Feoktistov destacou … as
# negociações da Argentina para adquirir tanques").
_REPORTING_RE = re.compile(
    r"\b(?:said|says|say|told|tells|explained|stated|noted|stressed|highlighted|"
    r"reported|claimed|warned|recalled|added|emphasi[sz]ed|reiterated|insisted|"
    r"dijo|dice|afirm[oó]|afirma|explic[oó]|señal[oó]|declar[oó]|asegur[oó]|indic[oó]|"
    r"inform[oó]|destac[oó]|record[oó]|advirti[oó]|subray[oó]|enfatiz[oó]|"
    r"reiter[oó]|insisti[oó]|sostuvo|"
    r"disse|diz|afirmou|explicou|declarou|informou|destacou|lembrou|ressaltou|"
    r"sublinhou|enfatizou|reiterou|insistiu|"
    r"заявил\w*|сообщил\w*|сказал\w*|отметил\w*|подчеркнул\w*|"
    r"заявив|заявила|повідомив|повідомила|сказав|сказала|зазначив|наголосив|наголосила|"
    r"підкреслив|підкреслила)\b",
    re.IGNORECASE,
)


# A past participle or a passive noun right before the agent: "imposed by", "recrutados
# pela", "golpeada por", "led by", "відправлена від"; or the cue itself is one.
_PARTICIPLE_RE = re.compile(
    r"\w+(?:ed|en|ado|ada|ados|adas|ido|ida|idos|idas|uesto|uesta|uestos|uestas|osto|osta|"
    r"ostos|ostas|ito|ita|itos|itas|ий|на|ні|ена|ені|ан|ана|ані)\b",
    re.IGNORECASE,
)


def _participle_before_agent(span: str) -> bool:
    """Whether the word right before the agent's "by"/"por" is a participle ("imposed
    by", "recrutados pela"), so the span is a passive and not "por" of a cause."""
    words = re.findall(r"\w+", span)
    markers = [i for i, word in enumerate(words) if _BY_RE.fullmatch(word)]
    return (
        bool(markers) and markers[0] >= 1 and bool(_PARTICIPLE_RE.fullmatch(words[markers[0] - 1]))
    )


def act_speaker(text: str, actors: Sequence[Actor], cue: int) -> tuple[str, ...]:
    """Who speaks the words that hold the cue at ``cue`` (offsets into ``text``, a sentence
    up to and past the cue): the subject of a verb of saying before the cue ("Сибіга …
    наголосив, що українська Формула миру …", "Zelensky dijo que …"), or empty when no verb
    of saying comes between the sentence's subject and the cue. An act told in those words
    with no subject of its own is the speaker's claim, not the other state's act."""
    for actor in sorted(actors, key=lambda a: a.start):
        if actor.start >= cue:
            break
        before = text[: actor.start]
        if _PREPOSITION_RE.search(before[-60:]) or _BY_RE.search(before):
            continue
        if _REPORTING_RE.search(text[actor.end : cue]):
            return (actor.party,)
        break
    return ()
