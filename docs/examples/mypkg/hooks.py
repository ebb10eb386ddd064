"""A user's own hook config. It lives in the user's package; typedseg validates it like its own hooks."""

from typing import Annotated

from pydantic import Field

from typedseg.config.hooks import UserHook


class GradNormAlarm(UserHook):
    """Logs a warning when the gradient norm exceeds `threshold`."""

    threshold: Annotated[float, Field(gt=0)] = 10.0
    """Gradient norm above which to warn."""
    interval: Annotated[int, Field(gt=0)] = 50
    """Check every this many iterations."""
