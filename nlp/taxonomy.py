"""The taxonomy as nlp/ uses it: the ids (workflow.taxonomy is their one source), the fields a
classification has, and short Chinese names for evidence strings."""

from __future__ import annotations

from workflow.taxonomy import CATEGORIES, DEPARTMENTS, TRIAGE

__all__ = ["CATEGORIES", "DEPARTMENTS", "FIELDS", "NAMES", "TRIAGE", "display"]

FIELDS: tuple[str, ...] = ("category", "department", "urgent")

# Display names for evidence strings (staff read them); ids stay the contract.
NAMES: dict[str, str] = {
    "cannot": "不能为", "will_not": "不想为", "dare_not": "不敢为", "misconduct": "乱作为",
    "other": "一般诉求", "market": "市场监管", "housing": "住建", "urban": "城管",
    "environment": "生态环境", "transport": "交通运输", "police": "公安", "education": "教育",
    "health": "卫健", "hr_social": "人社", "civil_affairs": "民政", "natural_resources": "自然资源",
    "gov_service": "政务服务", "tax": "税务", "medical_insurance": "医保", "supervision": "治庸办",
    "1": "紧急",
}


def display(label: str) -> str:
    """Chinese name of a taxonomy id (a city's own ids are shown as they are)."""
    return NAMES.get(label, label)
