"""`python -m typedseg ...`: the command line (what `torchrun -m typedseg run CFG` and `--nproc` workers run).

A worker started by torch's elastic launcher ends with `os._exit` once its run has returned and its output is
flushed: C++ destructors of the gloo process group at interpreter exit can abort a finished worker ("terminate
called without an active exception"), which the launcher would report as a failed run. MMEngine never destroys its
process group either. When another worker dies mid-run, the collectives of the others fail; each says so in one
line (the launcher names the worker that stopped first), not with a traceback per rank.
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


_PEER_GONE = ("Connection closed by peer", "Connection reset by peer", "remote worker crashing")
"""What gloo and the TCP store say when the process at the other end of a collective has died."""


def _peer_gone(exc: BaseException) -> bool:
    """Whether a collective failed because another worker stopped (its own output says why)."""
    return isinstance(exc, RuntimeError) and any(text in str(exc) for text in _PEER_GONE)


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
        except BaseException as exc:
            code = 1
            if _peer_gone(exc):  # not this worker's fault: one line, not a traceback per surviving rank
                from typedseg.engine.errors import PEER_GONE_EXIT

                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                print(
                    f"rank {os.environ.get('RANK', '?')}: another worker stopped, so this one stops too "
                    f"({first[first.find(']') + 1 :].strip()})",
                    file=sys.stderr,
                )
                code = PEER_GONE_EXIT
            else:
                traceback.print_exc()
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
