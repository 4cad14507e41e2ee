"""Stance of an organism's answer, on a set of answers of our own making in the ANCOLS style.

Written before the rules were reworked, and never tuned against: each answer is how a control report
sums up an organism's response ("Dans sa réponse, la société …", "En réponse aux observations
provisoires, l'organisme …"). A dozen per stance, a third of the contests worded as explanations
(a concession or a contrary fact rather than "conteste"), and explanations that give reasons without
opposing the finding. The stance is scored as a whole (accuracy, and each stance's recall), since a
cue rule that gets every answer right on text written by its author would prove nothing.
"""

from collections import Counter

from ancols_nlp.models.kinds.stance import STANCES, stance

GOLD = [
    # contests: outright
    ("contests", "Dans sa réponse, l'organisme conteste le calcul du taux de vacance retenu par l'Agence."),
    ("contests", "La société ne partage pas l'appréciation portée sur sa politique de loyers."),
    ("contests", "En réponse aux observations provisoires, la société se déclare en désaccord avec l'analyse "
                 "de ses coûts de gestion."),
    ("contests", "L'organisme estime que le reproche relatif à l'absence de mise en concurrence est infondé, "
                 "le montant du marché étant inférieur aux seuils."),
    ("contests", "La société maintient sa position et fait valoir que la convention avec le GIE a été "
                 "approuvée par le conseil d'administration."),
    # contests worded as explanations
    ("contests", "Dans sa réponse, la société explique la hausse des impayés par la crise sanitaire ; elle "
                 "précise toutefois que le taux de recouvrement est resté supérieur à 98 %."),
    ("contests", "L'organisme indique néanmoins que les dossiers d'attribution comportaient tous l'avis "
                 "d'imposition requis."),
    ("contests", "Contrairement à ce qui est indiqué dans le rapport, les comptes rendus de la commission "
                 "d'attribution ont été présentés chaque année au conseil d'administration."),
    ("contests", "La société précise que les dépassements relevés ne sont pas irréguliers, les plafonds "
                 "applicables aux logements PLS étant ceux de l'année de signature du bail."),
    ("contests", "En réponse, l'organisme souligne que son taux de vacance, hors vacance technique liée aux "
                 "démolitions, s'établit à 2,1 %, soit un niveau inférieur à la moyenne régionale, ce qui "
                 "relativise le constat de l'Agence."),
    ("contests", "La société considère que le niveau de ses frais de personnel n'est pas excessif compte "
                 "tenu de la présence de gardiens dans chaque résidence."),
    ("contests", "Elle indique cependant que la procédure retenue pour la maîtrise d'œuvre respectait les "
                 "règles applicables à la date de passation."),
    ("contests", "Pour autant, la société rappelle que ces logements ont bien été attribués à des ménages "
                 "prioritaires."),
    # commits
    ("commits", "Dans sa réponse, la société s'engage à présenter sa politique des loyers au conseil "
                "d'administration avant la fin de l'année."),
    ("commits", "L'organisme indique qu'un plan de contrôle interne sera mis en place dès 2018."),
    ("commits", "En réponse aux observations provisoires, la société annonce le lancement d'un appel "
                "d'offres pour ses contrats d'entretien des ascenseurs."),
    ("commits", "La société va procéder à la régularisation des trois baux concernés."),
    ("commits", "Elle prévoit de réaliser les diagnostics amiante manquants d'ici 2019."),
    ("commits", "Dans sa réponse, l'organisme indique avoir engagé la révision de son plan stratégique de "
                "patrimoine."),
    ("commits", "La société a décidé de confier le recouvrement contentieux à un cabinet spécialisé."),
    ("commits", "L'organisme précise que le conseil d'administration délibérera sur les prêts au personnel "
                "lors de sa prochaine séance."),
    ("commits", "La société indique avoir mis en place, depuis le contrôle, un registre des réclamations."),
    ("commits", "Pour l'avenir, l'organisme s'attachera à formaliser les décisions de la commission "
                "d'attribution."),
    ("commits", "La société a corrigé les loyers des deux logements dès le mois de janvier 2017."),
    ("commits", "Dans sa réponse, l'organisme indique qu'il mettra fin au cumul du contrat de travail et du "
                "mandat social du directeur général."),
    # accepts
    ("accepts", "Dans sa réponse, la société reconnaît que la convention n'a pas été soumise au conseil "
                "d'administration."),
    ("accepts", "L'organisme prend acte des observations de l'Agence relatives à la vacance."),
    ("accepts", "La société partage le constat d'une insuffisance de la maintenance de son parc collectif."),
    ("accepts", "En réponse, l'organisme admet que les délais de paiement des fournisseurs ont été dépassés."),
    ("accepts", "Elle ne conteste pas l'absence de publicité de la vente des logements vacants."),
    ("accepts", "La société convient que le suivi des contrats d'entretien était insuffisant."),
    ("accepts", "L'organisme indique avoir bien pris conscience des difficultés financières soulignées "
                "par l'Agence."),
    ("accepts", "Dans sa réponse, la société confirme que deux attributions ont dépassé les plafonds de "
                "ressources."),
    ("accepts", "Le conseil d'administration a pris acte du rapport lors de sa séance du 3 juin."),
    ("accepts", "La société se dit en accord avec la recommandation de l'Agence sur l'enquête de "
                "satisfaction."),
    ("accepts", "L'organisme reconnaît l'erreur de calcul de la cotisation due à la CGLLS."),
    ("accepts", "La société ne remet pas en cause le constat de l'Agence sur l'ancienneté de son parc."),
    # explains
    ("explains", "Dans sa réponse, la société explique le niveau de ses effectifs par la présence de "
                 "gardiens dans les quartiers prioritaires."),
    ("explains", "L'organisme précise que la hausse de la vacance résulte des démolitions programmées dans "
                 "le cadre du projet de renouvellement urbain."),
    ("explains", "En réponse aux observations provisoires, la société rappelle que ses loyers sont fixés "
                 "par délibération du conseil d'administration."),
    ("explains", "La société indique que la commission d'attribution se réunit chaque mois et examine trois "
                 "candidatures par logement."),
    ("explains", "Elle précise que le retard de la réhabilitation tient aux délais d'obtention des "
                 "financements de l'ANRU."),
    ("explains", "L'organisme fait valoir l'ancienneté de son parc, construit pour moitié avant 1970."),
    ("explains", "La société indique que les frais de gestion intègrent la refacturation des services du "
                 "groupe."),
    ("explains", "Dans sa réponse, l'organisme détaille la composition de son conseil d'administration et la "
                 "fréquence de ses réunions."),
    ("explains", "Elle explique que les créances anciennes concernent pour l'essentiel des locataires partis."),
    ("explains", "La société précise que le directeur général est mis à disposition par le GIE depuis 2011."),
    ("explains", "L'organisme indique que le marché local est détendu et que la demande se concentre sur "
                 "les logements individuels."),
    ("explains", "En réponse, la société expose que la baisse de l'autofinancement tient au remboursement "
                 "anticipé de deux emprunts en 2015."),
]


def test_the_set_has_a_dozen_answers_of_each_stance():
    counts = Counter(gold for gold, _ in GOLD)
    assert set(counts) == set(STANCES) and min(counts.values()) >= 12


def test_stance_of_answers_of_our_own_making():
    right = Counter(gold for gold, text in GOLD if stance(text) == gold)
    total = Counter(gold for gold, _ in GOLD)
    misses = [(gold, stance(text), text[:70]) for gold, text in GOLD if stance(text) != gold]
    assert sum(right.values()) / len(GOLD) >= 0.85, misses
    assert all(right[s] / total[s] >= 0.75 for s in STANCES), misses
