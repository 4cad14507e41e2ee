"""French cues for the kind of a sentence, as data.

They follow the annotation guide (``shared/eval/ANNOTATION.md``): a prescription ("la société
doit", "est invitée à", "gagnerait à") makes a recommendation, the organism's reported voice
("dans sa réponse, la société indique") makes a rebuttal, the agency answering that voice
("l'Agence maintient") stays an observation, and text without a statement is ``other``.

``REBUTTAL``, ``RECOMMENDATION``, ``AGENCY_REPLY`` and ``OTHER`` drive the rule classifier
(``rules.py``); ``FEATURE_CUES`` are the finer families the trained model weighs one by one
(``features.py``), so that e.g. a forecast ("le fonds de roulement devrait atteindre …") and
a prescription ("la société devrait revoir …") get different weights.
"""

import re

from ancols_nlp.models.kinds import roles

_I = re.IGNORECASE
_ADV = r"(?:\w+\s+){0,2}?"  # "attire toutefois l'attention", "est également appelée"

# Who speaks for the organism in a report: "la société", "l'office", "elle", "le directeur général"…
_ORG = (r"(?:la\s+soci[ée]t[ée]|l['’]organisme|l['’]office|la\s+coop[ée]rative|elle|il|le\s+bailleur|la\s+SA|l['’]OPH"
        r"|la\s+direction|le\s+pr[ée]sident|le\s+directeur(?:\s+g[ée]n[ée]ral)?|la\s+directrice(?:\s+g[ée]n[ée]rale)?"
        r"|le\s+conseil\s+d['’]administration|le\s+groupe)")
# Verbs of reported speech and of commitment, as stems.
_SPEECH = (r"(?:indiqu|pr[ée]cis|contest|fai[ts]\s+valoir|s['’]engag|s['’]est\s+engag|reconna[iî]|expliqu|justifi|affirm"
           r"|soutien|soulign|fai[ts]\s+savoir|propos|r[ée]pond|estim|consid[èe]r|assur|annonc|envisag|d[ée]velopp"
           r"|argu|object|invoqu|d[ée]clar|signal|prend\s+acte|pr[ée]voi|entend|souhait|s['’]interroge)")

REBUTTAL = re.compile(
    r"\b(?:dans\s+(?:sa|leur)\s+r[ée]ponse|en\s+r[ée]ponse|pour\s+r[ée]pondre|selon\s+l['’]organisme|d['’]apr[èe]s\s+l['’]organisme"
    r"|" + _ORG + r"\s+(?:(?:a|aurait|avait)\s+)?" + _SPEECH +
    r"|(?:a|ont)\s+indiqu[ée]\s+(?:en\s+cours\s+de\s+contr[ôo]le|avoir)"
    r")",
    _I,
)

# The control body answering the answer is its own finding, not the organism's voice.
AGENCY_REPLY = re.compile(
    r"\b" + roles.CONTROL_BODY + r"\s+" + _ADV +
    r"(?:maintient|prend\s+acte|note|rel[èe]ve|constate|rappelle|observe|consid[èe]re|estime|regrette|confirme)", _I)

# "doit composer avec", "doit faire face à" describe a constraint, not a prescription.
_MUST = (r"\b(?:doi(?:t|vent)|devr(?:a|ont))\s+(?!(?:\w+\s+){0,2}?(?:composer|faire\s+face|affronter|supporter|subir)\b"
         r"|(?:[eê]tre|y\s+[eê]tre)\s+(?:not[ée]|soulign[ée]|relev[ée]|pr[ée]cis[ée]|rappel[ée]|observ[ée])\b)")
_FORECAST = (r"\b(?:devr(?:ait|aient)|devr(?:a|ont))\s+(?:alors\s+|ainsi\s+|encore\s+|donc\s+|toutefois\s+|n[ée]anmoins\s+)?"
             r"(?:s['’]|se\s+)?(?:am[ée]lior|repr[ée]sent|couvr|assur|atteindr|[ée]tabli|d[ée]grad|augment|diminu|baiss"
             r"|progress|rest|demeur|[êe]tre\s+(?:de|d['’]|sup[ée]rieur|inf[ée]rieur|proche|port[ée])|port|[ée]lev|ressort"
             r"|d[ée]passer|s['’]?accro|cro[iî]tre|r[ée]duir|stabilis|redresser|permettre|d[ée]gager"
             r"|g[ée]n[ée]rer|financ|ramen|s['’][ée]tablir|se\s+situer|avoisiner|exc[ée]der|b[ée]n[ée]ficier"
             r"|d[ée]boucher)")
_SOFT = (r"\bgagnerai(?:t|ent)\s+[àa]|\bserai(?:t|ent)\s+" + _ADV + r"(?:indiqu[ée]|souhaitable|opportun|utile|pertinent"
         r"|n[ée]cessaire|judicieu(?:x|se)|pr[ée]f[ée]rable|bienvenu|appropri[ée]|int[ée]ressant)"
         r"|\bconstituerai(?:t|ent)\s+un\s+" + _ADV + r"progr[èe]s|\bpourrai(?:t|ent)\s+" + _ADV +
         r"[êe]tre\s+(?:am[ée]lior|renforc|revu|compl[ée]t|optimis|pr[ée]cis|formalis|clarifi|mieux|utilement|davantage)"
         r"|\bil\s+(?:serait|semblerait|para[iî]trait)\s+" + _ADV + r"(?:souhaitable|utile|opportun|pr[ée]f[ée]rable|judicieux|indiqu)"
         r"|\bm[ée]riterai(?:t|ent)\b|\bpermettrai(?:t|ent)\s+(?:de\s+|d['’]|une\s+meilleure|un\s+meilleur)")
_ATTENTION = (r"\battention\s+(?:de\s+[^.]{0,60}?)?(?:est|doit\s+[eê]tre)\s+" + _ADV + r"(?:attir[ée]e?|appel[ée]e?)"
              r"|\battire\s+" + _ADV + r"l['’]attention|\bvigilance\s+(?:de\s+[^.]{0,60}?)?(?:est|doit\s+[eê]tre)\s+" + _ADV +
              r"(?:appel[ée]e|attir[ée]e|requise)|\b(?:rester|[eê]tre|demeurer)\s+(?:tr[èe]s\s+|particuli[èe]rement\s+)?vigilant"
              r"|\bporter\s+une\s+attention\s+particuli")
_IMPERSONAL = (r"\bil\s+(?:lui\s+|leur\s+)?(?:appartient|appartiendra|convient|conviendra|conviendrait|importe|incombe|revient)\b"
               r"|\bil\s+(?:lui\s+)?est\s+" + _ADV + r"(?:rappel[ée]|demand[ée]|recommand[ée]|conseill[ée]|pr[ée]conis[ée])\b")
_NECESSARY = (r"\b(?:est|sont|appara[iî]t|apparaissent|semble|semblent|serait|para[iî]t|s['’]av[èe]re|devient)\s+" + _ADV +
              r"(?:n[ée]cessaires?|indispensables?|imp[ée]ratifs?|urgents?|requis)\b|\bn[ée]cessite(?:nt)?\s+(?:que|de|d['’]|une|un)")

# Advice without "doit": "il importe que", "il paraît essentiel", "il pourrait être intéressant que",
# "des efforts sont à mener".
_ADVICE = (
    r"\bil\s+(?:lui\s+|leur\s+)?(?:importe|est\s+" + _ADV + r"(?:important|essentiel|indispensable|imp[ée]ratif"
    r"|urgent|primordial|souhaitable|n[ée]cessaire))\s+(?:que|de|d['’])"
    r"|\bil\s+(?:para[iî]t|semble|appara[iî]t|para[iî]trait|semblerait|appara[iî]trait)\s+" + _ADV +
    r"(?:essentiel|indispensable|important|n[ée]cessaire|souhaitable|opportun|utile|pr[ée]f[ée]rable|judicieu"
    r"|pertinent|int[ée]ressant|primordial|urgent)"
    r"|\b(?:il\s+)?pourrai(?:t|ent)\s+[êe]tre\s+" + _ADV +
    r"(?:int[ée]ressant|utile|opportun|judicieu|pertinent|souhaitable|pr[ée]f[ée]rable|envisag[ée])"
    r"|\b(?:efforts?|progr[èe]s|actions?|mesures?|am[ée]liorations?|travaux|d[ée]marches?|r[ée]flexions?)\s+" +
    _ADV + r"(?:sont|restent|reste|demeurent|seront|serait|seraient)\s+(?:encore\s+)?[àa]\s+"
    r"(?:mener|faire|fournir|accomplir|engager|poursuivre|conduire|r[ée]aliser|entreprendre|consentir|prendre"
    r"|accentuer|amplifier)"
    r"|\bil\s+(?:reste|restera)\s+[àa]\s+\w+er\b|\bil\s+y\s+(?:a|aurait)\s+lieu\s+de")
# An item that opens on an infinitive: "Mettre en conformité …", "Se conformer à …", "Faire figurer …".
_NOT_VERBS = (
    r"Outre|Entre|Contre|Notre|Votre|Autre|Lettre|Titre|Centre|Nombre|Membre|Ordre|Offre|Chiffre|Cadre"
    r"|Premier|Dernier|Hier|Cahier|Quartier|Dossier|Foyer|Loyer|Chantier|Fichier|Calendrier|Courrier"
    r"|Registre|Ministre|Chapitre|Pierre|Pouvoir|Savoir|Devoir|Avenir|Plaisir|Loisir|Soir|Espoir|Mer|Fer|Air"
    r"|Desir|Désir|Livre|Libre|Sobre|Septembre|Octobre|Novembre|Décembre|Ombre|Filtre|Théâtre|Maître|Prêtre"
    r"|Être|Arbre|Cuivre|Rubrique|Super|Inter|Hiver|Mieux|Lire|Dire|Rire|Cher|Fier|Amer|Laser|Poster|Sur"
    r"|Pour|Leur|Leurs")
INFINITIVE_START = re.compile(
    r"^[\W\d]*(?:(?:Se|S['’])\s*[a-zà-ÿ]+|(?!(?:" + _NOT_VERBS + r")\b)[A-ZÀ-Þ][a-zà-ÿ]{2,}(?:er|ir|re))"
    r"\s+(?!(?:est|sont|a|ont|était|n['’]|de\s+la\s+société\s+(?:est|a))\b)")
INFINITIVE_LINE = re.compile(INFINITIVE_START.pattern, re.MULTILINE)  # a line of a list read as one sentence
# A document stating what someone must do ("la charte prévoit qu'il appartient à l'expert de …") prescribes nothing.
_DOCUMENT_RULE = (r"^\W*(?:" + roles.DOCUMENT + r")\s*" + _ADV + r"(?:[^.]{0,60}?\s)?"
                  r"(?:pr[ée]voi|stipul|pr[ée]cis|dispos"
                  r"|rappel|impos|indiqu|d[ée]cri|d[ée]taill|fix|d[ée]fini|exig|rel[èe]ve)")
# A rule of law states a duty of anyone in a role; it prescribes nothing to this organism.
_LEGAL_RULE = (
    r"\b(?:le\s+pouvoir\s+adjudicateur|l['’]acheteur(?:\s+public)?|le\s+ma[iî]tre\s+d['’]ouvrage"
    r"|l['’]entit[ée]\s+adjudicatrice|tout\s+(?:organisme|bailleur|candidat|soumissionnaire|acheteur)"
    r"|les\s+organismes\s+(?:d['’]HLM|HLM|de\s+logement\s+social|d['’]habitations?)"
    r"|le\s+(?:titulaire|candidat|soumissionnaire|cocontractant)|la\s+loi|le\s+code|l['’]article|le\s+d[ée]cret"
    r"|la\s+r[ée]glementation|les\s+textes|l['’]ordonnance|le\s+l[ée]gislateur)\s+" + _ADV + r"(?:[^.]{0,60}?\s)?"
    r"(?:doi(?:t|vent)|devr(?:a|ont)|impos|pr[ée]voi|dispos|exig|oblig)")
# "il convient de rappeler que": the report reminds the reader of something, nobody is told to act.
_DISCOURSE = (
    r"\bil\s+(?:convient|faut|importe)\s+" + _ADV + r"(?:de\s+|d['’])(?:rappeler|noter|souligner|pr[ée]ciser"
    r"|relever|observer|signaler|indiquer|mentionner|remarquer|constater|nuancer|distinguer|ajouter"
    r"|examiner|analyser|consid[ée]rer)"
    r"|\bil\s+faut\s+(?:toutefois\s+|cependant\s+)?(?:noter|souligner|rappeler|pr[ée]ciser|remarquer)")

MUST = _MUST

RECOMMENDATION = re.compile(
    _MUST + r"|\bdevr(?:ait|aient)\b|" + _IMPERSONAL +
    r"|\b(?:est|sont)\s+" + _ADV + r"invit[ée]e?s?\s+[àa]|\brecommand(?:e|ent)\b|\bpr[ée]conis(?:e|ent)\b|" + _SOFT + "|" + _ATTENTION +
    "|" + _NECESSARY + r"|\bfaire\s+l['’]objet\s+d|\bmettre\s+(?:fin|en\s+(?:place|[œo]uvre|conformit[ée]))|\bveiller\s+[àa]"
    r"|\br[ée]gularis(?:er|ation)\s+(?:sans\s+d[ée]lai)|\brecommandation\s+n",
    _I,
)

# The control procedure and its cover letter, in any control body's words: dates of opening,
# interviews, notification and replies, what the recipient must do with the report (``other``).
_PROCEDURE = (
    r"\b(?:l['’]examen\s+de\s+la\s+gestion|le\s+contr[ôo]le|l['’]enqu[êe]te|la\s+mission)\s+[^.]{0,80}?"
    r"\ba\s+[ée]t[ée]\s+ouvert|\bentretiens?\s+(?:pr[ée]alables?|de\s+fin\s+de\s+contr[ôo]le)"
    r"|\bobservations\s+(?:provisoires|d[ée]finitives)\s+(?:ont\s+[ée]t[ée]\s+)?transmises"
    r"|\ba\s+arr[êe]t[ée]\s+ses\s+observations|\benregistr[ée]e?s?\s+au\s+greffe"
    r"|\bpar\s+lettres?\s+du\s+pr[ée]sident\s+(?:de\s+la\s+chambre\s+)?en\s+dates?\s+d"
    r"|\binform[ée]s?\s+de\s+(?:cet\s+examen|l['’]ouverture\s+d)|\bcode\s+des\s+juridictions\s+financi[èe]res"
    r"|\bvous\s+trouverez\s+ci-joint|\bau\s+plus\s+proche\s+(?:conseil|r[ée]union)"
    r"|\bprochaine\s+r[ée]union\s+de\s+(?:l['’]|votre\s+)assembl[ée]e|\bdocument\s+final\s+(?:est|sera)\s+publi")

# Lines that hold no statement: signatures, salutations, source notes, bare figures.
OTHER = re.compile(
    r"^\W*(?:source\s*:|sources\s*:|\(?\d+\)?\s*(?:source|rpls|enqu[êe]te|bolero)|le\s+directeur\s+g[ée]n[ée]ral[,.]?\s*$"
    r"|la\s+directrice\s+g[ée]n[ée]rale[,.]?\s*$|le\s+pr[ée]sident[,.]?\s*$|(?:monsieur|madame)\s+[^,]{0,60},?\s*$"
    r"|veuillez\s+agr[ée]er|je\s+vous\s+prie|nous\s+vous\s+prions|cordialement|signature|copie\s*:)",
    _I,
)

# One feature per family, so the model can weigh e.g. a forecast "devrait" against a prescription.
FEATURE_CUES: dict[str, re.Pattern[str]] = {name: re.compile(pattern, flags) for name, pattern, flags in [
    # recommendation
    ("rec_must", _MUST, _I),
    ("rec_should", r"\bdevr(?:ait|aient)\b", _I),
    ("forecast", _FORECAST, _I),
    ("rec_impersonal", _IMPERSONAL, _I),
    ("rec_invited", r"\b(?:est|sont)\s+" + _ADV + r"invit[ée]e?s?\s+[àa]", _I),
    ("rec_verb", r"\b(?:recommande|recommandent|pr[ée]conise|pr[ée]conisent|enjoint|exige)\b", _I),
    ("rec_noun", r"\brecommandations?\b", _I),
    ("rec_numbered", r"\brecommandation\s*(?:n\s*°|no|\d)", _I),
    ("rec_soft", _SOFT, _I),
    ("rec_attention", _ATTENTION, _I),
    ("rec_necessary", _NECESSARY, _I),
    ("rec_action", r"\bmettre\s+(?:fin|en\s+(?:place|[œo]uvre|conformit[ée]))|\bveiller\s+[àa]|\bfaire\s+l['’]objet\s+d"
                   r"|\br[ée]gularis|\bse\s+conformer|\brendre\s+\w+\s+conformes?|\bsans\s+d[ée]lai", _I),
    # "Stratégie d'attribution à préciser": a nominal to-do item
    ("todo_item", r"\b[àa]\s+(?:r[ée]|re|d[ée]|mieux\s+)?\w{2,}(?:er|ir|re)\s*[.;,]?\s*$", _I),
    ("conditional", r"\b\w{3,}(?:rait|raient)\b", _I),
    ("legal_duty", r"\b(?:conform[ée]ment\s+(?:[àa]\s+l['’]article|aux\s+dispositions)|en\s+application\s+de|l['’]article\s+[LRD]\.?\s*\d)", _I),
    # prescriptions outside the "doit" formula: impersonal or conditional advice, items of a recommendations list
    ("rec_advice", _ADVICE, _I),
    ("infinitive_start", INFINITIVE_START.pattern, 0),
    # "doit" / "il convient" that prescribe nothing: a legal rule, a quoted clause, a discourse phrase
    ("legal_rule", _LEGAL_RULE, _I),
    ("quoted_must", r"«[^»]{0,400}?\b(?:doi(?:t|vent)|devr(?:a|ont)|il\s+convient|il\s+faut)\b[^»]{0,400}»", _I),
    ("discourse_convient", _DISCOURSE, _I),
    ("document_rule", _DOCUMENT_RULE, _I),
    # rebuttal
    ("reb_reply", r"\b(?:dans\s+(?:sa|leur|ses)\s+r[ée]ponses?|en\s+r[ée]ponse|pour\s+r[ée]pondre|selon\s+l['’]organisme"
                  r"|d['’]apr[èe]s\s+(?:l['’]organisme|la\s+soci[ée]t[ée])|r[ée]ponse\s+(?:[ée]crite|de\s+l['’]organisme))", _I),
    ("reb_org_speech", _ORG + r"\s+(?:(?:a|aurait|avait)\s+)?" + _SPEECH, _I),
    ("reb_name_speech", r"\b[A-ZÀ-Þ][\w'’-]+\s+(?:(?:a|aurait)\s+)?(?:pr[ée]cise|indique|conteste|fait\s+valoir|reconna[iî]t|s['’]engage"
                        r"|s['’]est\s+engag[ée]+|explique|affirme|estime|consid[èe]re|soutient|justifie|annonce|envisage|propose)\b", 0),
    ("reb_commit", r"\bs['’](?:est\s+)?engag|\bva\s+(?:mettre|engager|proc[ée]der|r[ée]aliser|lancer|poursuivre|renforcer)"
                   r"|\bpr[ée]voit\s+de|\benvisag|\ba\s+d[ée]cid[ée]|\bsera\s+mis\s+en\s+place", _I),
    ("reb_during_control", r"\b(?:en\s+cours\s+de|lors\s+du|pendant\s+le)\s+contr[ôo]le", _I),
    ("agency_reply", AGENCY_REPLY.pattern, _I),
    ("agency_subject", roles.BODY_SUBJECT.pattern, _I),
    ("first_person", r"\b(?:nous|notre|nos)\b", _I),
    ("org_subject_start", r"^\W*(?:" + _ORG + r")\b", _I),
    # no statement
    ("salutation", OTHER.pattern, _I),
    ("boilerplate", r"\bl['’]ancols\s+exerce|\bagence\s+a\s+pour\s+missions?|\bL\.?\s*342-(?:2|14)\b|passible\s+des\s+sanctions"
                    r"|sanctions?\s+p[ée]cuniaires?|\bmission\s+interminist[ée]rielle", _I),
    ("procedure", _PROCEDURE, _I),
    ("table_ref", r"^\W*(?:le|ce|un)\s+(?:tableau|graphique)\s+(?:r[ée]capitulatif\s+|ci-|suivant)|\bfigurent?\s+(?:en|[àa]\s+l['’])\s*annexe"
                  r"|\bsont\s+pr[ée]sent[ée]e?s\s+(?:en\s+annexe|au\s+paragraphe|ci-)|ci-(?:apr[èe]s|dessous|dessus|contre)\s*:?\s*$", _I),
    ("source_note", r"^\W*(?:\d+\s*)?(?:sources?|champ|r[ée]f[ée]rences?|nota|note)\s*:", _I),
    ("markup", r"<\s*/?\s*(?:sup|sub|b|i|li|ul|p|br|td|tr|span)\b|&lt;|&gt;|\$|\\text|```|\|", _I),
    ("footnote_start", r"^\W*(?:<sup>|[¹²³⁴⁵⁶⁷⁸⁹⁰]+\s*[A-ZÀ-Þ]|\(\d{1,2}\)\s*[A-ZÀ-Þ]|\[\^\d+\])", 0),
    ("date_line", r"^\W*[A-ZÀ-Þ][\w' -]{1,40},\s+le\s+\d{1,2}(?:er)?\s+\w+\s+\d{4}\W*$|^\W*(?:le\s+)?\d{1,2}(?:er)?\s+(?:janvier|f[ée]vrier|mars"
                  r"|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre)\s+\d{4}\W*$", _I),
    ("address", r"\b\d{2}\s?\d{3}\s+[A-ZÀ-Þ][\w'-]+(?:\s+cedex)?\s*$|\bcedex\b|\b(?:rue|avenue|boulevard|bd|all[ée]e|chemin|BP)\s+[A-Z\d]", 0),
    ("person_line", r"^\W*(?:M\.|Mme|MM\.|Monsieur|Madame|Pr[ée]sident|Directeur|Directrice)\b[^.]{0,80}$", 0),
    ("report_meta", r"\bcontr[ôo]le\s+effectu[ée]\s+du|\bdiffusion\s+du\s+rapport|\bpr[ée]c[ée]dent\s+rapport[^:.]{0,40}:|\brapport\s+(?:d[ée]finitif|provisoire)"
                    r"\s+(?:de\s+contr[ôo]le\s+)?n\s*°|\bN\s*°\s*SIREN|\braison\s+sociale", _I),
    ("label_colon", r"^[^.:]{2,60}:\s*\S", 0),
    ("aux_verb", r"\b(?:est|sont|a|ont|[ée]tait|[ée]taient|avait|avaient|sera|seront|serait|fait|font|peut|peuvent|reste|restent"
                 r"|demeure|demeurent|repr[ée]sente|repr[ée]sentent|dispose|disposent|s['’][ée]l[èe]ve|atteint|compte|comptent"
                 r"|n['’]a|n['’]est|y\s+a|permet|permettent|montre|montrent|appara[iî]t|semble)\b", _I),
]}
