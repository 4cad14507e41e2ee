"""French word lists for the lexical index, as data: changing one changes what is indexed, so
``analyzer.ANALYZER_VERSION`` must be bumped with it (the store re-analyses its passages then)."""

# Function words only: content words such as "élevé" or "haut" must stay searchable.
STOPWORDS = frozenset("""
a à au aux avec ce ces cet cette c ça d dans de des du elle elles en et eux il ils je j l la le les leur leurs lui
m ma mais me même mes moi mon n ne ni nos notre nous on ont ou où par pas pour qu que qui s sa se ses si son sur
t ta te tes toi ton tu un une vos votre vous y été être est sont était étaient sera seront soit sont avait ont eu
dont ainsi aussi alors car donc or puis lors cela celle celui ceux celles leurs afin entre chez sous vers sans très
plus moins tout tous toute toutes autre autres ceci là cf
""".split())

# Groups of interchangeable phrasings in control reports; a query naming one also looks for the others.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("vacance", "logements vacants", "logements inoccupés", "vacants"),
    ("impayés", "créances locatives", "dettes locatives", "arriérés", "créances"),
    ("CAL", "commission d'attribution", "commission d'attribution des logements"),
    ("CAO", "commission d'appel d'offres"),
    ("commande publique", "marchés", "mise en concurrence"),
    ("CA", "conseil d'administration"),
    ("PSP", "plan stratégique de patrimoine"),
    ("OPS", "enquête sur l'occupation du parc social", "occupation du parc social"),
    ("SLS", "supplément de loyer de solidarité", "surloyer"),
    ("CAF", "capacité d'autofinancement", "autofinancement"),
    ("endettement", "dette", "emprunts", "annuités"),
    ("fonds propres", "capitaux propres"),
    ("coûts de gestion", "frais de gestion", "frais généraux"),
    ("gardiens", "personnel de proximité", "agents de proximité", "proximité"),
    ("vente", "cession", "ventes de logements"),
    ("réhabilitation", "rénovation"),
    ("performance énergétique", "DPE", "diagnostic de performance énergétique", "énergie"),
    ("CGLLS", "Caisse de garantie du logement locatif social", "cotisations"),
    ("contrats d'échange de taux", "swaps", "instruments de couverture"),
    ("emprunts structurés", "produits structurés"),
    ("délai anormalement long", "délai dépassé"),
    ("conteste", "contestation", "dans sa réponse", "fait valoir", "en réponse"),
    ("directeur général", "DG"),
    ("charges locatives", "charges récupérables", "provisions de charges", "régularisation des charges"),
    ("sécurité", "ascenseurs", "amiante", "gaz", "incendie"),
    ("groupe", "GIE", "filiale", "sociétés du groupe"),
)

# Phrasings that say which kind of passage a query is after: a query about the organism contesting
# or answering wants its rebuttals, one asking for recommendations wants those. Phrases are matched
# after analysis, so each must keep a distinctive word once stopwords go ("en réponse" would be
# just "réponse", which also means an answer to a housing request).
KIND_INTENTS: dict[str, tuple[str, ...]] = {
    "rebuttal": ("conteste", "contester", "contestation", "désaccord", "réponse de l'organisme", "fait valoir"),
    "recommendation": ("recommandation", "recommandations", "préconisation", "préconisations", "préconise"),
}
