"""Model errors: each names the command that fixes it, because that is what the operator needs."""

from __future__ import annotations

REBUILD = "zhiyong nlp train --default"


class ModelError(Exception):
    """The trained model cannot be used."""


class ModelNotFound(ModelError):
    """No model artifact where one was expected."""

    def __init__(self, where: str, command: str = REBUILD) -> None:
        super().__init__(f"no trained model at {where}; build it with `{command}`")


class ModelIncompatible(ModelError):
    """An artifact exists but was built for other data or another format/library version."""

    def __init__(self, where: str, why: str, command: str = REBUILD) -> None:
        super().__init__(f"model at {where} is unusable ({why}); rebuild it with `{command}`")
