"""`python -m typedseg ...`: the command line (what `torchrun -m typedseg run CFG` and `--nproc` workers run).

A worker started by torch's elastic launcher ends with `os._exit` once its run has returned and its output is
flushed: C++ destructors of the gloo process group at interpreter exit can abort a finished worker ("terminate
called without an active exception"), which the launcher would report as a failed run. MMEngine never destroys its
process group either.
"""

import importlib
import logging
import os
import sys
import traceback


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    return exc.code if isinstance(exc.code, int) else 1


if __name__ == "__main__":
    main = importlib.import_module("typedseg.cli.main").main  # cli/ installs as typedseg.cli
    if "TORCHELASTIC_RUN_ID" not in os.environ:
        main()
    else:
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = _exit_code(exc)
        except BaseException:
            traceback.print_exc()
            code = 1
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
