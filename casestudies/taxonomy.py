"""The categories of barriers and drivers the programme starts with (staff can edit them)."""

DEFAULT_CATEGORIES = [
    ("funding", "Finanzierung", "Funding"),
    ("staff-skills", "Personal und Kompetenzen", "Staff and skills"),
    ("organisation-governance", "Organisation und Steuerung", "Organisation and governance"),
    ("law-data-protection", "Recht und Datenschutz", "Law and data protection"),
    ("technology-infrastructure", "Technik und Infrastruktur", "Technology and infrastructure"),
    ("political-support", "Politische Unterstützung", "Political support"),
    ("participation", "Beteiligung", "Participation"),
    ("language-culture", "Sprache und Kultur", "Language and culture"),
]
