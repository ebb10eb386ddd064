"""Any exception while the config runs is reported at the config's line that raised it."""

import os

from typedseg.config.experiment import Experiment

config = Experiment(work_dir=os.path.join(os.environ["SEG_WORK_ROOT"], "segformer"))
