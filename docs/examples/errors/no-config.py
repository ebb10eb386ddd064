"""The experiment must be bound to the module-level name `config`."""

from typedseg.config.experiment import Experiment

cfg = Experiment(work_dir="work_dirs/baseline")
