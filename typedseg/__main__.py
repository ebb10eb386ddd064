"""`python -m typedseg ...`: the command line (what `torchrun -m typedseg run CFG` and `--nproc` workers run)."""

from typedseg.cli.main import main

if __name__ == "__main__":
    main()
