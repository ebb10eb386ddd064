"""Pydantic models for every setting of a typedseg experiment. Importing this package never imports torch."""

from pydantic import BaseModel, ValidationError

from typedseg.config.base import explain_errors_with
from typedseg.problems import Problem


def _problems_of(exc: ValidationError, model: type[BaseModel]) -> list[Problem]:
    # `errors` is imported when a construction first fails: it is not needed on the success path.
    from typedseg.config.errors import problems_from_validation

    return problems_from_validation(exc, model)


explain_errors_with(_problems_of)
