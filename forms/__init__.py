"""Composition → documents: the notice (告知单), the one form and the commitment letter, as HTML
and PDF; the one form's JSON Schema; server-side validation of a form post.

    from forms import render_html, render_pdf, json_schema, validate
"""

from forms.render import render_html, render_pdf
from forms.schema import json_schema
from forms.validation import validate

__all__ = ["json_schema", "render_html", "render_pdf", "validate"]
