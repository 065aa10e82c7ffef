"""Pure domain: (pack, as-of date, scope, answers, choices) → Composition, with reasons.

No web and no database here: the composer can be tested and benchmarked alone.
"""

from composer.compose import Composer
from composer.model import ComposeRequest, Composition

__all__ = ["ComposeRequest", "Composer", "Composition"]
