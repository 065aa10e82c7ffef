"""What every part of the compose contract is made of: dates as JSON writes them, frozen parts, time limits."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, ValidatorFunctionWrapHandler, WrapValidator
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

Locale = Literal["zh", "en"]

_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _full_date(value: object, read: ValidatorFunctionWrapHandler) -> date:
    """Only what the schema's ``format: date`` says: pydantic alone also reads 0, "0" or a midnight datetime as a date."""
    parsed: date = read(value)  # what is no date at all keeps pydantic's own error
    if isinstance(value, date) or (isinstance(value, str) and _FULL_DATE.fullmatch(value)):
        return parsed
    raise PydanticCustomError("date_parsing", "Input should be a date written YYYY-MM-DD")


IsoDate = Annotated[date, WrapValidator(_full_date)]
"""A date as JSON and URLs write it: ``2026-11-26``."""


class Out(BaseModel):
    """A composition's part: frozen, so a memoised piece can be shared between applicants."""

    model_config = ConfigDict(frozen=True)


def written_example(example: JsonDict) -> ConfigDict:
    """A frozen output model whose OpenAPI example is written out: only some compositions have one to take it from."""
    return ConfigDict(frozen=True, json_schema_extra={"examples": [example]})


class Span(Out):
    """A time limit as written in law and as a count of working days from the as-of date."""

    days: int
    unit: Literal["working", "calendar"]
    working_days: int
    text: str
