"""Taxonomy ids from ../shared/taxonomy.md: the one place nlp/ spells them."""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = ("cannot", "will_not", "dare_not", "misconduct", "other")
DEPARTMENTS: tuple[str, ...] = (
    "market", "housing", "urban", "environment", "transport", "police", "education", "health",
    "hr_social", "civil_affairs", "natural_resources", "gov_service", "tax", "medical_insurance",
    "supervision",
)
TRIAGE = "supervision"
FIELDS: tuple[str, ...] = ("category", "department", "urgent")
