"""Pure domain: (pack, as-of date, scope, answers, choices) → Composition, with reasons.

No web and no database here: the composer can be tested and benchmarked alone. ``compose.py``
reads like the reform, one module a step, each over one immutable ``case.Case``:
``permits`` → ``elements`` → ``materials`` → ``form`` → ``commitments`` → ``savings`` →
``notice``, with ``reasons`` explaining each line and ``questionnaire`` the questions still open.
``inputs`` reads a request against the pack, ``memo`` keeps the pieces compositions share,
``serialise`` writes a composition's JSON, and ``words`` holds every phrase the composer says.
"""

from composer.compose import Composer
from composer.model import ComposeRequest, Composition

__all__ = ["ComposeRequest", "Composer", "Composition"]
