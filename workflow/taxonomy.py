"""Taxonomy ids from ../shared/taxonomy.md: the one place the code spells them.

Config, database, CLI output and evaluation all use these ids; Chinese names live in
config.toml (what users see) and the templates.
"""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = ("cannot", "will_not", "dare_not", "misconduct", "other")
CONDUCT_CATEGORIES: frozenset[str] = frozenset({"cannot", "will_not", "dare_not", "misconduct"})
OTHER_CATEGORY = "other"

DEPARTMENTS: tuple[str, ...] = (
    "market", "housing", "urban", "environment", "transport", "police", "education", "health",
    "hr_social", "civil_affairs", "natural_resources", "gov_service", "tax", "medical_insurance",
    "supervision",
)
TRIAGE = "supervision"      # the oversight office (治庸问责办公室) and its triage queue
