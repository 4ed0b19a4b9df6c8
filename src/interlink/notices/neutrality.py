"""Article 3 screening of notice and diffusion requests: indications for a reviewer, not decisions.

INTERPOL's Constitution (Article 3) forbids the Organization any intervention or activity of a
political, military, religious or racial character. Whether a request falls under it is decided
case by case by people: reviewers weigh the offence, the status of the persons and the context,
and ask whether ordinary-law or Article 3 elements predominate. No pattern can apply that test.

This module owns the step before: it reads the free text of a request (charges, summary of facts,
context, the bureau's statements) and the subject's status and returns every *indication* of
Article 3, with the words that triggered it and a reason, so that the reviewer sees each one and
must address it. A flag refuses nothing; its absence clears nothing.

The rules are data (``_RULES`` for texts, ``_STATUS_RULES`` for the status; a code's prefix is its
category): add a phrase to a rule, or a rule with a new stable code. Text is folded first (case
folded, diacritics dropped after NFKD, curly apostrophes straightened), so phrases are lower-case
ASCII regexes, whole words, and a space in a phrase matches any run of spaces or punctuation.
Ordinary-law crimes are left alone on purpose: "terrorism" by itself, "military" by itself
(stealing military equipment is theft), "false information" given to a bank.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["NeutralityFlag", "neutrality_flags"]

_EXCERPT_MAX = 120
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc`\u00b4", "'"))


@dataclass(frozen=True, slots=True)
class NeutralityFlag:
    """One indication that a request may fall under Article 3, for a reviewer to address."""

    code: str  # stable id of the rule that fired, e.g. "political.offence_against_state"
    category: str  # "political", "military", "religious" or "racial"
    field: str  # the key given in ``texts``, or "subject.status"
    excerpt: str  # the triggering words as written, with context, at most 120 characters
    reason: str  # why this may fall under Article 3, in one sentence

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "category": self.category,
            "field": self.field,
            "excerpt": self.excerpt,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class _Rule:
    code: str  # stable: reviewers' answers and statistics refer to it
    pattern: re.Pattern[str]  # searched in the folded text
    reason: str  # "{state}" becomes the requesting state
    requires: re.Pattern[str] | None = None  # fires only if this also occurs in the same text
    except_in: tuple[re.Pattern[str], ...] = ()  # a match inside one of these does not count

    @property
    def category(self) -> str:
        return self.code.partition(".")[0]


def _rx(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(p.replace(" ", r"\W+") for p in phrases) + r")\b")


def _rule(
    code: str,
    phrases: str | re.Pattern[str],
    reason: str,
    requires: re.Pattern[str] | None = None,
    except_in: tuple[re.Pattern[str], ...] = (),
) -> _Rule:
    pattern = _rx(phrases) if isinstance(phrases, str) else phrases
    return _Rule(code, pattern, reason, requires, except_in)


# Small words allowed between a verb and its object: "insulting the honour of the President".
_GAP = (
    r"(?:(?:the|an?|of|to|on|in|against|towards|and|his|her|their|its|feelings|sentiments"
    r"|honou?r|dignity|memory|person|au|aux|de|du|des|la|le|les|l'|envers|contre|al|el|del"
    r"|los|las|contra|hacia|y|et|su|sus|son|sa|ses|sentimientos)\b\W*){0,6}"
)
_INSULT = (
    r"(?:insult\w*|offend\w*|offenses? (?:au|a|envers)|outrag\w*|affront\w*|disrespect\w*|defam\w*"
    r"|diffam\w*|difam\w*|slander\w*|libel\w*|calumn\w*|injurias?|injures? envers|ultraj\w*"
    r"|desacato|vilipend\w*|mock\w*|ridicul\w*|humiliat\w*|discredit\w*|desprestigi\w*"
    r"|denigr\w*|contempt|ofensas?) "
) + _GAP
_HEAD = (
    r"(?:president\w*|heads? of state|chef de l'etat|chef d'etat|jefe del? estado|king|queen"
    r"|monarch\w*|sovereign|souverain|roi|reine|rey|reina|corona|crown|royal family"
    r"|famille royale|familia real|supreme leader|guide supreme|lider supremo|emir|sultan)"
)
_OFFICIALS = (
    r"(?:(?:state |public |government |senior )?officials?|authorit\w*|autorit\w*"
    r"|public servants?|civil servants?|fonctionnaires?|agents? publics?|funcionari[oa]s?"
    r"|government|gouvernement|gobierno|state (?:bodies|organs|institutions)|army|armee"
    r"|institutions de l'etat|ejercito|armed forces|forces armees|fuerzas armadas|state"
    r"|l'etat|estado|nation|republi\w*)"
)
_SPREAD = (
    r"(?:spread\w*|disseminat\w*|publi\w*|distribut\w*|circulat\w*|post(?:ed|ing)"
    r"|broadcast\w*|diffus\w*|propag\w*|difund\w*|difusion|divulg\w*) "
)
_SERVICE = (
    r"(?:(?:to|from|of|perform|do|serve|undergo|report|for|the|his|her|their|compulsory"
    r"|mandatory|d'accomplir|accomplir|de|faire|le|du|son|a|al|del|el|prestar|cumplir|su"
    r"|obligatorio)\b\W*){0,5}(?:conscription|military service|national service"
    r"|mobili[sz]ation|call up|service militaire|service national|servicio militar"
    r"|movilizacion|conscripcion)"
)
_BANNED = r"(?:banned|prohibited|illegal|unregistered|outlawed|unauthori[sz]ed|forbidden|extremist)"
_OPINION = _rx(
    r"opinions?|views?|beliefs?|ideas?|ideolog\w*|statements?|speech\w*|posts?|posted"
    r"|publi\w*|articles?|literature|books?|leaflets?|sermons?|social media|online"
    r"|expression|extremist materials?|propos|ecrits?|croyances?|opiniones|creencias?"
    r"|declaraci\w*|discursos?|redes sociales|reseaux sociaux|materiales extremistas"
    r"|materiels? extremistes?"
)
_ETHNIC_GROUP = _rx(
    r"(?:ethnic|national|tribal|racial) (?:groups?|minorit\w*|communit\w*)"
    r"|tribal (?:affiliation|origin|membership)|groupes? ethniques?|ethnies?"
    r"|(?:minorites?|communautes?) (?:ethniques?|nationales?)|grupos? etnicos?"
    r"|minorias? (?:etnicas|nacionales)|comunidad(?:es)? etnicas?|etnias?"
)
_NOT_RACE = _rx(
    r"(?:horse|car|arms|boat|dog|motor|drag|street|relay|bicycle|cycle|rat|space"
    r"|presidential|leadership|yacht|road|illegal) races?"
    r"|races? (?:fixing|track|course|horses?|cars?|meeting|day)"
    r"|(?:chiens?|chats?|chevaux|cheval|betail|perros?|gatos?|caballos?) de ra(?:ce|za)"
)

_RULES: tuple[_Rule, ...] = (
    _rule("political.treason", r"treason\w*|traitors?|trahison|traicion|traidor(?:es|as?)?",
          "Treason is by definition an offence against {state}, political under Article 3."),
    _rule("political.offence_against_state",
          r"sediti\w*|sedicio\w*|subversi\w*|insurrecci?\w*|insurgenc\w*|rebellio\w*|rebelion\w*"
          r"|undermin\w* (?:\w+ ){0,3}?(?:state|government|constitutional order|national unity)"
          r"|overthr\w* (?:\w+ ){0,3}?(?:government|regime|state|constitutional order|president)"
          r"|toppl\w* (?:the )?(?:government|regime)|coup d'?etat|(?:attempted|failed) coup"
          r"|coup (?:attempt|plot\w*)|golpe de estado|golpistas?|derroca\w* (?:\w+ ){0,3}?"
          r"(?:gobierno|regimen|presidente)|renversement (?:\w+ ){0,2}?(?:gouvernement|regime)"
          r"|(?:offen[cs]es?|crimes?|infractions?|delitos?|crimenes) (?:against|contre|contra) "
          r"(?:the |la |el |l')?(?:state|etat|estado|constitutional order|orden constitucional)"
          r"|(?:against|endangering|threatening|harming|undermining) (?:the )?(?:state|national)"
          r" security|surete de l'etat|interets fondamentaux de la nation|seguridad del estado",
          "Sedition, subversion or rebellion targets {state} itself, political under Article 3."),
    _rule("political.separatism", r"separatis\w*|secessio\w*|secesio\w*|independantis\w*"
          r"|independentis\w*|territorial integrity|integrite (?:du territoire|territoriale)"
          r"|integridad territorial",
          "Separatism or secession punishes a political aim about the territory of {state}."),
    _rule("political.extremism_opinion", r"extremis\w*",
          "An extremism charge tied to opinions or publications may punish views (Article 3).",
          requires=_OPINION),
    _rule("political.espionage", r"espionage|espionnage|espionaje|(?:spy|spying|spied|spies) for"
          r"|(?:foreign|enemy) (?:spy|spies|agents?)|foreign intelligence (?:service|agency)"
          r"|(?:state|official) secrets?|secrets? d'etat|secretos? (?:de estado|oficiales)"
          r"|intelligence avec (?:une puissance|un etat)|secrets? de (?:la )?defense nationale"
          r"|espias? (?:para|al servicio)",
          "Espionage and state secrets concern the security of {state}: political or military."),
    _rule("political.insulting_head_of_state", _INSULT + _HEAD + r"|lese majest\w*|lesa majestad",
          "Insulting the head of state is an offence of opinion protecting political power."),
    _rule("political.defamation_of_officials", _INSULT + _OFFICIALS,
          "Insulting the officials or institutions of {state} is an offence of expression."),
    _rule("political.false_information",
          _SPREAD + r"(?:\w+ ){0,3}?(?:false|fake|untrue|fausses?|faux|falsas?|falsos?|mensong\w*)"
          r" (?:information|news|rumou?rs?|nouvelles|informations?|rumeurs?|noticias|informaci\w*)"
          r"|" + _SPREAD + _GAP + r"(?:noticias|informaci\w*|rumores) falsa?s?|fake news"
          r"|fausses nouvelles|bulos|disinformation|desinformation|desinformacion",
          "'False information' offences are often used against critics and the press."),
    _rule("political.propaganda", r"propagand\w*",
          "A propaganda charge punishes the content of speech, an offence of opinion."),
    _rule("political.criticism_of_government",
          r"(?:critic\w*|critiqu\w*) " + _GAP + r"(?:government|regime|authorities|president\w*"
          r"|leadership|ruling party|gouvernement|autorites|pouvoir|gobierno|regimen|autoridades)"
          r"|anti ?government\w*|anti ?regime|antigouvernement\w*|antigubernament\w*",
          "Criticising the government is free expression; prosecuting it is political."),
    _rule("political.unauthorised_assembly",
          r"protest(?:s|ers?|ors?|as?)?|protest(?:ed|ing) (?:against|outside|in front)"
          r"|(?:unauthori[sz]ed|unsanctioned|illegal|unlawful"
          r"|unpermitted|banned|prohibited|mass|street|anti government|political|opposition) "
          r"(?:demonstrations?|rall(?:y|ies)|marche?s|assembl(?:y|ies)|gatherings?|meetings?"
          r"|pickets?)|(?:organi[sz]\w*|participat\w*|taking part|took part|take part|call\w* for"
          r"|incit\w*) (?:in |to |of |for )?(?:an? |the )?(?:\w+ )?(?:demonstrations?"
          r"|rall(?:y|ies)|marches|mass riots?)|mass (?:riots?|disorders?|unrest)|attroupement\w*"
          r"|(?:manifestations?|rassemblements?) (?:non (?:autorise|declare)e?s?|illicites?"
          r"|interdite?s?|illegale?s?)|participation a (?:une |la |des |un )?(?:manifestation"
          r"|rassemblement)\w*|manifestacio\w* (?:no autorizada|ilegal|prohibida)s?"
          r"|(?:reunion|concentracion)\w* (?:ilicita|ilegal|no autorizada)s?|participacion en "
          r"(?:una |la )?(?:manifestacion|protesta|marcha|mitin|concentracion)",
          "Protests, demonstrations and rallies are political activity under Article 3."),
    _rule("political.opposition",
          r"opposition (?:part(?:y|ies)|movements?|leader\w*|figures?|activists?|politicians?"
          r"|groups?|members?|candidates?|supporters?|newspapers?|media)|(?:members?|supporters?"
          r"|leaders?) of (?:the|an?) (?:\w+ )?opposition|parti\w* d'opposition|opposants?"
          r"|partidos? de (?:la )?oposicion|opositor\w* (?:politic\w*|al (?:gobierno|regimen))"
          r"|oposicion politica",
          "A link to the political opposition suggests pursuit for political activity."),
    _rule("political.election", r"elections?|electora\w*|eleccio\w*|referend\w*|ballots?"
          r"|scrutins?|comicios|polling (?:stations?|day)|voting|vote (?:buying|rigging)",
          "The facts are tied to an election or referendum, a political context to weigh."),
    _rule("political.political_terms", r"politic\w*|politiqu\w*|dissident\w*|disident\w*",
          "The request itself puts the offence, motive or persons in political terms."),
    _rule("military.desertion", r"desertions?|deserte?u?rs?|desercio\w*|desert(?:or|ora|ores|oras"
          r"|ar)|absent without (?:official )?leave|awol|desert(?:ed|ing) (?:from )?(?:the |his "
          r"|her |their )?(?:army|unit|post|armed forces|military|ranks|regiment|service"
          r"|battalion|ship|barracks)",
          "Desertion is a purely military offence, which Article 3 excludes."),
    _rule("military.draft_evasion", r"draft (?:evasion|evader\w*|dodg\w*|resist\w*)"
          r"|(?:evad\w*|dodg\w*|avoid\w*|resist\w*) (?:the )?draft|(?:evad\w*|evasion|avoid\w*"
          r"|dodg\w*|refus\w*|shirk\w*|fail\w*|negativa|rechazo|elusion|soustraction) " + _SERVICE
          + r"|conscientious objecti?\w*|objecte?u?r\w* de conscience|objection de conscience"
          r"|objetor\w* de conciencia|objecion de conciencia|insoumission|insumis\w*",
          "Refusing or evading military service is a purely military offence (Article 3)."),
    _rule("military.mutiny", r"mutin\w*|amotina\w*|motin\w* militar\w*|(?:sedicion|rebelion) "
          r"militar|insubordinat\w*|insubordinacion",
          "Mutiny and insubordination are offences against military discipline (Article 3)."),
    _rule("military.military_justice", r"courts? martial\w*|military (?:courts?|tribunals?"
          r"|prosecutor\w*|justice|offen[cs]es?|penal code|criminal code|code)|tribunal\w* "
          r"militaires?|tribunal\w* militar\w*|(?:code|juridiction\w*) (?:de justice )?militaire"
          r"|justice militaire|infractions? militaires?|codigo (?:penal |de justicia )?militar"
          r"|justicia militar|delitos? militar\w*|conseil de guerre|consejo de guerra",
          "The offence is defined by military law or tried by a military court."),
    _rule("religious.blasphemy", r"blasphem\w*|blasfem\w*",
          "Blasphemy is an offence defined by religious belief (Article 3)."),
    _rule("religious.apostasy", r"apostas\w*|apostat\w*|(?:renounc\w*|renunciation|leaving|left"
          r"|abandon\w*|reniement) " + _GAP + r"(?:faith|religion|islam|foi|fe)",
          "Apostasy, leaving or renouncing a religion, is an offence of conscience."),
    _rule("religious.proselytism", r"proselyt\w*|proselit\w*|(?:unlawful |illegal )?missionary "
          r"activit\w*|(?:forced|illegal|unlawful|inducing|incitement to) (?:religious )?"
          r"conversions?|conversion religieuse",
          "Proselytism or conversion charges punish spreading or changing a religion."),
    _rule("religious.insulting_religion", r"(?:insult\w*|offen[dcs]\w*|outrag\w*|defam\w*"
          r"|desecrat\w*|profan\w*|disrespect\w*|hurt\w*|wound\w*|ofen\w*|escarnio|ultraj\w*"
          r"|atteinte|mock\w*|ridicul\w*|injurias?|injures?) " + _GAP + r"(?:religions?|religious "
          r"(?:feelings|sentiments|beliefs|values)|prophet|faith|believers|holy|sacred|quran"
          r"|koran|bible|god|sentiments religieux|sentimientos religiosos|croyants|creyentes"
          r"|religion|religieuses?|sacre|sagrad[oa]s?)",
          "Insulting a religion or believers' feelings is an offence of religious expression."),
    _rule("religious.heresy", r"heres\w*|heretic\w*|herej\w*|witchcraft|sorcer\w*|sorcellerie"
          r"|brujeria|hechiceria",
          "Heresy, sorcery and witchcraft are offences defined by religious doctrine."),
    _rule("religious.practice_or_group", r"religious (?:practi[cs]e\w*|worship|activit\w*"
          r"|gatherings?|meetings?|services?|teaching\w*|instruction|literature|education|rites?"
          r"|ceremon\w*|observance)|" + _BANNED + r" (?:religious )?(?:sects?|cults?"
          r"|congregations?|church(?:es)?|mosques?)|" + _BANNED + r" religious (?:groups?"
          r"|organi[sz]ations?|movements?|communit\w*|associations?)|(?:member\w*|participat\w*"
          r"|belonging) (?:of|in|to) (?:an? |the )?(?:\w+ )?(?:religious (?:groups?"
          r"|organi[sz]ations?|movements?|sects?|communit\w*)|sects?|cults?)"
          r"|pratiques? religieuses?|cultes? (?:non autorise|illegal|interdit)\w*|groupes? "
          r"religieux (?:interdits?|illegaux)|sectes? (?:interdite|illegale)s?"
          r"|practicas? religiosas?|cultos? (?:no autorizado|ilegal|prohibido)\w*|grupos? "
          r"religios\w* (?:prohibid|ilegal)\w*|sectas? (?:prohibida|ilegal)\w*"
          r"|jehovah'?s witness\w*|falun (?:gong|dafa)|ahmadiyya",
          "Practising a religion or joining a banned religious group is freedom of religion."),
    _rule("racial.ethnic_group", _ETHNIC_GROUP,
          "The offence or person is defined by membership of an ethnic or national group."),
    _rule("racial.race_or_ethnicity", r"races?|racial\w*|ethnic\w*|ethnique\w*|raza\w*|etnic\w*"
          r"|etnicidad",
          "The offence refers to race or ethnic origin, a possible racial character.",
          except_in=(_ETHNIC_GROUP, _NOT_RACE)),
)  # fmt: skip

_STATUS_RULES: tuple[_Rule, ...] = (
    _rule("political.subject_politician", r"politic\w*|politiqu\w*|heads? of state|chef d'etat"
          r"|chef de l'etat|jefe de estado|president\w*|prime minister|premier ministre"
          r"|primer ministro|minist(?:er|re|ro|ra)s?|member of parliament|parliamentarian|mp"
          r"|deputes?|diputad[oa]s?|senat\w*|senador\w*|congress\w*|mayor|maire|alcalde\w*"
          r"|governor|gouverneur|gobernador\w*|opposition\w*|opposant\w*|opositor\w*"
          r"|dissident\w*|disident\w*|party (?:leader|member|official)",
          "The person is or was a political figure, a sign the request may be political."),
    _rule("political.subject_journalist", r"journalis\w*|periodist\w*|reporter\w*|blogg\w*"
          r"|blogue\w*|(?:newspaper|news|chief) editor|editor in chief|redacteur en chef"
          r"|correspond[ae]n\w*|corresponsal\w*|media worker",
          "The person is a journalist: a prosecution of expression is more likely."),
    _rule("political.subject_rights_defender", r"human rights|droits de l'homme|droits humains"
          r"|derechos humanos|activist\w*|activista\w*|militant\w*|civil society"
          r"|whistle ?blower\w*|lanceu\w* d'alerte",
          "The person defends human rights or is an activist (Articles 2 and 3)."),
    _rule("political.subject_refugee", r"refugee\w*|refugie\w*|refugiad[oa]s?|asylum\w*|asylee"
          r"|asile|asilo|international protection|protection internationale"
          r"|proteccion internacional",
          "The person is a refugee or asylum seeker, possibly protected from persecution."),
    _rule("military.subject_military", r"military|militaire\w*|militar\w*|soldier\w*|soldat\w*"
          r"|soldad[oa]s?|army|armee|ejercito|navy|air force|armed forces|forces armees"
          r"|fuerzas armadas|service(?:man|men|woman|women)|conscript\w*|recluta\w*"
          r"|reservist\w*|reserviste\w*",
          "The person serves in the armed forces: check the offence is not a military one."),
    _rule("religious.subject_religious", r"religious|religieu\w*|religios\w*|cleric\w*|clergy\w*"
          r"|clerge|clerigo\w*|imams?|priests?|pretres?|sacerdote\w*|pastor\w*|pasteurs?|rabbi\w*"
          r"|rabbin\w*|rabino\w*|monks?|moines?|monje\w*|nuns?|monja\w*|bishops?|eveques?"
          r"|obispo\w*|preacher\w*|predicat\w*|predicador\w*|missionar\w*|missionnaire\w*"
          r"|misioner\w*|mullah\w*|mollah\w*|ayatollah\w*|spiritual leader|guide spirituel"
          r"|lider espiritual",
          "The person is a religious figure, a sign the request may be religious in kind."),
)  # fmt: skip


def neutrality_flags(
    texts: Mapping[str, str | None],
    *,
    requesting_country: str | None = None,
    subject_status: str | None = None,
) -> list[NeutralityFlag]:
    """Every Article 3 indication in ``texts`` (field path -> free text) and ``subject_status``.

    In the order of ``texts``, then of the rules; the status's flags (field "subject.status")
    come last. One flag per (code, field), its excerpt from the first match. Blank texts are
    skipped. ``requesting_country`` only names the state in the reasons.
    """
    country = (requesting_country or "").strip()
    state = f"the requesting state ({country})" if country else "the requesting state"
    sources: list[tuple[str, str | None, Iterable[_Rule]]] = [
        (field, text, _RULES) for field, text in texts.items()
    ]
    sources.append(("subject.status", subject_status, _STATUS_RULES))
    flags: list[NeutralityFlag] = []
    seen: set[tuple[str, str]] = set()
    for field, text, rules in sources:
        if text is None or not text.strip():
            continue
        folded, origin = _fold(text)
        for rule in rules:
            span = _find(rule, folded)
            if span is None or (rule.code, field) in seen:
                continue
            seen.add((rule.code, field))
            excerpt = _excerpt(text, origin[span[0]], origin[span[1] - 1] + 1)
            reason = rule.reason.replace("{state}", state)
            flags.append(NeutralityFlag(rule.code, rule.category, field, excerpt, reason))
    return flags


def _fold(text: str) -> tuple[str, list[int]]:
    """Folded text and, for each of its characters, the index of the one it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text.translate(_APOSTROPHES)):
        for part in unicodedata.normalize("NFKD", char.casefold()):
            if not unicodedata.combining(part):
                chars.append(part)
                origin.append(i)
    return "".join(chars), origin


def _find(rule: _Rule, folded: str) -> tuple[int, int] | None:
    if rule.requires is not None and rule.requires.search(folded) is None:
        return None
    masks = [m.span() for pattern in rule.except_in for m in pattern.finditer(folded)]
    for match in rule.pattern.finditer(folded):
        if not any(lo <= match.start() and match.end() <= hi for lo, hi in masks):
            return match.span()
    return None


def _excerpt(text: str, start: int, end: int) -> str:
    """The matched words with context on both sides, cut at word boundaries, spaces collapsed."""
    room = max(0, _EXCERPT_MAX - (end - start)) // 2
    lo, hi = max(0, start - room), min(len(text), end + room)
    while 0 < lo < start and not text[lo - 1].isspace():
        lo += 1
    while end < hi < len(text) and not text[hi].isspace():
        hi -= 1
    return " ".join(text[lo:hi].split())[:_EXCERPT_MAX]
