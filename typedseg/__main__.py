"""`python -m typedseg ...`: the command line (what `torchrun -m typedseg run CFG` and `--nproc` workers run)."""

import importlib

if __name__ == "__main__":
    importlib.import_module("typedseg.cli.main").main()  # cli/ installs as typedseg.cli
