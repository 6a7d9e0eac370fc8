"""Word lists for the demo portfolio: brands, people, places, products, texts. Data only."""

from __future__ import annotations

SEGMENTS = ("Manufacturing", "Retail", "Financial Services", "Healthcare", "Technology")
#: segment and business line of individual (B2C) clients and of their managers
CONSUMER = "Consumer"

#: syllables combined into brand names ("Varolex", "Quintara"...)
BRAND_HEADS = (
    "Ab", "Al", "Ar", "Bel", "Bor", "Cal", "Cor", "Dal", "Del", "Ev", "Fal", "Gar", "Hal",
    "Il", "Jor", "Kal", "Lum", "Mar", "Nor", "Ov", "Pal", "Quin", "Ros", "Sol", "Tal",
    "Ul", "Var", "Wes", "Xan", "Yor", "Zen", "Ast", "Bri", "Cyr", "Dor", "Ely", "Fen",
    "Glo", "Hex", "Ira",
)
BRAND_MIDS = (
    "a", "e", "i", "o", "u", "an", "en", "in", "on", "ar", "er", "or", "el", "il", "ol",
    "ax", "ex", "ix", "av", "ev",
)
BRAND_TAILS = (
    "tex", "lex", "tra", "dia", "vio", "tis", "rax", "nova", "gen", "lith", "mont",
    "ford", "wick", "berg", "dale", "tron", "sys", "via", "nix", "ora", "ium", "ant",
    "ent", "is", "on", "ar", "ia", "co",
)
INDUSTRY_WORDS = {
    "Manufacturing": (
        "Precision", "Components", "Machining", "Metalworks", "Plastics", "Fabrication",
        "Industrial", "Engineering", "Castings", "Tooling", "Automation", "Packaging",
    ),
    "Retail": (
        "Stores", "Markets", "Outlet", "Fashion", "Home", "Grocers", "Living", "Supply",
        "Trading", "Brands", "Commerce", "Goods",
    ),
    "Financial Services": (
        "Capital", "Bank", "Insurance", "Partners", "Asset Management", "Finance", "Invest",
        "Assurance", "Credit", "Securities", "Holdings", "Payments",
    ),
    "Healthcare": (
        "Health", "Clinics", "Medical", "Pharma", "Care", "Diagnostics", "Labs", "Biotech",
        "Hospitals", "Therapeutics", "Life Sciences", "Dental",
    ),
    "Technology": (
        "Software", "Systems", "Networks", "Data", "Cloud", "Digital", "Labs", "Analytics",
        "Devices", "Robotics", "Semiconductors", "Security",
    ),
}
LEGAL_FORMS = ("Ltd", "GmbH", "SA", "BV", "AG", "Inc", "SAS", "AB", "Oy", "plc", "SpA", "S.L.")

COUNTRIES = (
    ("Germany", "Deutschland", 18), ("France", "France", 14), ("United Kingdom", "UK", 14),
    ("Netherlands", "Nederland", 8), ("Spain", "España", 8), ("Italy", "Italia", 8),
    ("Sweden", "Sverige", 5), ("Poland", "Polska", 5), ("Belgium", "Belgique", 4),
    ("Switzerland", "Schweiz", 4), ("Austria", "Österreich", 3), ("Denmark", "Danmark", 3),
    ("Finland", "Suomi", 2), ("Ireland", "Ireland", 2), ("Portugal", "Portugal", 2),
)

FIRST_NAMES = (
    "Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hugo", "Ines", "Jonas",
    "Katrin", "Lukas", "Maria", "Niklas", "Olga", "Paul", "Rosa", "Stefan", "Tara", "Ulrich",
    "Vera", "Willem", "Yara", "Zoe", "Amir", "Beatriz", "Carlos", "Dana", "Emil", "Fatima",
    "Giulia", "Henrik", "Isabel", "Jakob", "Karin", "Leon", "Mila", "Noah", "Oskar", "Pia",
    "Quentin", "Rania", "Sofia", "Theo", "Ula", "Victor", "Wanda", "Xavier", "Yusuf", "Zara",
    "Aisha", "Bruno", "Chloe", "Dmitri", "Eva", "Finn", "Hanna", "Ivan", "Julia", "Kofi",
    "Lea", "Marco", "Nora", "Omar", "Priya", "Rafael", "Sara", "Tomas", "Valentina", "Wei",
)
LAST_NAMES = (
    "Andersen", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen",
    "Ivanova", "Jansen", "Keller", "Lambert", "Moreau", "Novak", "Olsen", "Peeters",
    "Quinn", "Rossi", "Schmidt", "Thomsen", "Urban", "Vidal", "Weber", "Young", "Zimmermann",
    "Alves", "Berger", "Conti", "Dijkstra", "Engel", "Fontaine", "Gomez", "Hoffmann",
    "Iglesias", "Jensen", "Kowalski", "Lindqvist", "Martin", "Nielsen", "O'Brien", "Petit",
    "Ricci", "Svensson", "Tanaka", "Vogel", "Walsh", "Yilmaz", "Zanetti", "Brennan",
    "Carvalho", "De Vries", "Esposito", "Fernandez", "Gruber", "Horvat", "Jovanovic",
    "Kaya", "Leroy", "Meyer", "Nowak", "Ortega", "Popescu", "Richter", "Santos", "Torres",
    "Virtanen", "Wagner", "Lund", "Moretti", "Schulz",
)

PRODUCT_LINES = (
    "Core Platform", "Analytics", "Support Plus", "Consumables", "Professional Services",
    "Hardware", "Training", "Cloud Storage",
)
CONSUMER_PRODUCT_LINES = ("Personal Plan", "Accessories", "Home Service")

FUNCTIONS = ("finance", "procurement", "IT", "marketing", "operations", "executive")
TITLES = {
    ("executive", "executive"): "Chief Executive Officer",
    ("finance", "executive"): "Chief Financial Officer",
    ("IT", "executive"): "Chief Information Officer",
    ("operations", "executive"): "Chief Operating Officer",
    ("marketing", "executive"): "Chief Marketing Officer",
    ("procurement", "executive"): "Chief Procurement Officer",
}
FUNCTION_TITLES = {
    "finance": "Finance", "procurement": "Procurement", "IT": "IT",
    "marketing": "Marketing", "operations": "Operations", "executive": "Strategy",
}
SENIORITY_TITLES = {"director": "Director of", "manager": "Head of", "staff": "Specialist,"}

SPEND_SOURCES = (
    "annual report", "manager estimate", "industry benchmark", "client interview",
    "procurement tender",
)

TEAM_NAMES = {
    "Manufacturing": "Industry", "Retail": "Retail & Consumer Goods",
    "Financial Services": "Financial Services", "Healthcare": "Life Sciences & Health",
    "Technology": "Technology", CONSUMER: "Private Clients",
}

SUMMARIES = {
    "call": (
        "Quarterly check-in call on open orders", "Call about delivery delays",
        "Call to confirm next quarter's volumes", "Follow-up call on the price review",
        "Call on an invoice question", "Introductory call with a new stakeholder",
    ),
    "meeting": (
        "On-site meeting with operations", "Workshop on the product roadmap",
        "Meeting on the framework agreement", "Lunch with the sponsor",
        "Demo of the new analytics module", "Meeting with procurement on terms",
    ),
    "email": (
        "Sent the updated price list", "Shared the service report",
        "Answered questions on the contract", "Sent the renewal proposal",
        "Confirmed the meeting agenda", "Followed up on the open quote",
    ),
    "note": (
        "Client restructuring their purchasing team", "Competitor offered a lower price",
        "Budget freeze expected next quarter", "New CFO started this month",
        "Client opening a new site", "Client happy with the last delivery",
    ),
    "business_review": (
        "Quarterly business review", "Half-year business review with the sponsor",
        "Annual strategic review", "Business review: targets and joint plan",
    ),
}
OUTCOMES = (
    "Agreed next steps", "Quote requested", "Volumes confirmed", "Escalated to the head",
    "No change", "Decision expected next month", "Joint plan updated",
)
