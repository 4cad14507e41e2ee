"""Words that signal each theme of the annotation guide, as data (regex stems, accent-insensitive)."""

LEXICON: dict[str, list[str]] = {
    "gouvernance": [
        r"conseil d.administration", r"\bCA\b", r"gouvernance", r"direct(?:eur|rice) g[ée]n[ée]ral", r"pr[ée]siden",
        r"administrateur", r"actionna", r"capital", r"statut", r"organisation", r"effectif", r"salari[ée]", r"personnel",
        r"ressources humaines", r"r[ée]mun[ée]ration", r"mandat social", r"contrat de travail", r"contr[ôo]le interne",
        r"syst[èe]me d.information", r"informatique", r"groupe", r"\bGIE\b", r"convention r[ée]glement", r"assembl[ée]e g[ée]n[ée]rale",
        r"management", r"d[ée]l[ée]gation", r"fusion", r"soci[ée]taire",
    ],
    "commande_publique": [
        r"commande publique", r"march[ée]s?\b", r"appel d.offres", r"\bCAO\b", r"mise en concurrence", r"ma[iî]trise d.[œo]uvre",
        r"accord.cadre", r"prestataire", r"ordonnance n.? ?2005", r"fournisseur", r"consultation", r"publicit[ée]",
        # the vocabulary of a tender, which shares words with housing allocation ("attribution", "candidat")
        r"attribution d(?:es|u|e|['’])\s?(?:un |une |ces |ce )?(?:march|lot|contrat|accord)", r"candidatures?\b",
        r"\boffres?\b", r"soumission", r"pouvoir adjudicateur", r"allotissement", r"\bDCE\b",
        r"cahier des (?:charges|clauses)", r"\bBOAMP\b",
        r"avenants?\b", r"passation", r"acheteur", r"\bachats?\b", r"attributaire", r"titulaire du march", r"adjudicat",
    ],
    "patrimoine": [
        r"patrimoine", r"\bPSP\b", r"plan strat[ée]gique", r"entretien", r"maintenance", r"r[ée]habilit", r"travaux", r"[ée]nerg",
        r"thermique", r"\bDPE\b", r"s[ée]curit[ée]", r"amiante", r"accessibilit[ée]", r"ascenseur", r"chaudi[èe]re", r"gaz",
        r"plomb", r"incendie", r"parc (?:de logements|immobilier|locatif|social)?", r"[âa]ge moyen", r"d[ée]molition", r"diagnostic",
        r"gros entretien", r"\bGE\b", r"registre de s[ée]curit[ée]", r"visite de patrimoine",
    ],
    "vacance": [r"vacan", r"vacant", r"rotation", r"inoccup", r"mobilit[ée]", r"logements? libre", r"relocation"],
    "loyers_charges": [
        r"loyer", r"\bSLS\b", r"suppl[ée]ment de loyer", r"charges? (?:locatives|r[ée]cup[ée]rables)", r"r[ée]gularisation des charges",
        r"provisions? (?:pour|de) charges", r"quittanc", r"\bAPL\b", r"convention", r"plafond", r"surloyer", r"\bRLS\b",
    ],
    "occupation_sociale": [
        r"occupation (?:du parc|sociale)", r"\bOPS\b", r"enqu[êe]te", r"m[ée]nages? (?:log[ée]s|modestes)", r"ressources",
        r"r[ôo]le social", r"familles? monoparentales?", r"personnes? isol[ée]es?", r"b[ée]n[ée]ficiaires? (?:d.aides?|de l.APL)",
        r"population", r"pr[ée]carit[ée]", r"sous.occupation", r"sur.occupation",
    ],
    "attributions": [
        r"attribution(?!s? d(?:es|u|e|['’])\s?(?:un |une |ces |ce )?(?:march|lot|contrat|accord))",
        r"\bCAL\b", r"\bCALEOL\b", r"commission d.attribution", r"demande", r"demandeur", r"contingent",
        r"r[ée]servata", r"\bDALO\b", r"prioritaire", r"\bSNE\b", r"num[ée]ro unique", r"d[ée]lai anormalement long",
        r"candidat(?!ures?\b)", r"accord collectif", r"relogement",
    ],
    "impayes": [r"impay[ée]", r"cr[ée]ances? (?:locatives|douteuses)?", r"recouvrement", r"contentieux", r"dettes? locatives?", r"expulsion", r"plan d.apurement"],
    "qualite_service": [
        r"proximit[ée]", r"gardien", r"r[ée]clamation", r"satisfaction", r"concertation", r"service rendu", r"accompagnement social",
        r"locataires? (?:en difficult[ée])?", r"accueil", r"astreinte", r"propret[ée]", r"qualit[ée] de service", r"conseil de concertation",
    ],
    "developpement": [
        r"d[ée]veloppement", r"construction", r"offre nouvelle", r"production", r"ma[iî]trise d.ouvrage", r"\bVEFA\b", r"op[ée]rations?",
        r"renouvellement urbain", r"\bANRU\b", r"\bNPNRU\b", r"programme", r"livraison", r"mises? en service", r"acquisition", r"co[ûu]ts? de production",
        r"foncier",
    ],
    "ventes": [r"vente", r"c[ée]ssion", r"accession", r"vendu", r"acqu[ée]reur", r"\bPSLA\b", r"copropri[ée]t[ée]"],
    "comptabilite": [
        r"comptab", r"comptes annuels", r"provision", r"amortissement", r"commissaire aux comptes", r"bilan", r"[ée]critures?",
        r"\bPGE\b", r"immobilisation", r"inventaire", r"m[ée]thode", r"contrats? d.[ée]change de taux", r"swap",
        r"\bc/\s?\d{3}", r"d[ée]pr[ée]ciation", r"retraitement", r"cl[ôo]ture des comptes", r"tenue des comptes",
        r"annexes? (?:des comptes|r[ée]glementaires)", r"comptes? de (?:bilan|r[ée]sultat)", r"plan comptable",
    ],
    "finances": [
        r"financ", r"autofinancement", r"\bCAF\b", r"endettement", r"dette", r"annuit[ée]", r"fonds propres", r"fonds de roulement",
        r"tr[ée]sorerie", r"rentabilit[ée]", r"r[ée]sultat", r"exc[ée]dent brut", r"\bEBE\b", r"\bCGLLS\b", r"cotisation", r"pr[ée]visionnel",
        r"prospective", r"co[ûu]ts? de gestion", r"frais g[ée]n[ée]raux", r"chiffre d.affaires", r"produits? locatifs?", r"emprunt",
        r"solvabilit[ée]", r"taxe fonci[èe]re", r"\bTFPB\b", r"investissement",
    ],
}
