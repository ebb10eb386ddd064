"""`config` must be an Experiment; a preset returns sections to pass to one."""

from typedseg.presets import schedule_80k

config = schedule_80k()
