"""Problems found in rule files or in a compose request, in words for people and codes for machines."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong: a stable code, a Chinese message, where it is (file:line or input field)."""

    code: str
    message: str
    where: str = ""
    subject: str = ""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class ProblemsError(Exception):
    """Raised with every problem found, so a user can fix them all in one go."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class PackError(ProblemsError):
    """A rule pack that cannot be loaded. The previously loaded pack stays in use."""


class InputError(ProblemsError):
    """A compose request that cannot be answered as asked. Nothing is composed."""
