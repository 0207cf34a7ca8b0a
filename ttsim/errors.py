"""The one exception type that reaches the user as a one-line message, and the entry-point
wrapper that turns it into that line."""
import sys
from collections.abc import Callable

EXIT_USAGE = 2  # bad input the user can fix
EXIT_INTERNAL = 1  # a bug in ttsim itself


class TtsimError(Exception):
    """A problem the user can fix: bad input, an unknown design, a missing tool.

    The command line prints it as one line (no traceback unless --debug) and exits with 2.
    """


def run_program(program: str, main: Callable[[], int], debug: bool | None = None) -> int:
    """Runs a command's `main()` and returns its exit status. A TtsimError becomes one line,
    "PROGRAM: error: ...", and status 2; any other exception (a bug) one line and status 1; with
    `debug` both keep their traceback. `debug` defaults to a `--debug` on the command line, which
    is then taken out of sys.argv so the command's own parser does not see it."""
    if debug is None:
        debug = "--debug" in sys.argv[1:]
        sys.argv[1:] = [word for word in sys.argv[1:] if word != "--debug"]
    try:
        return main()
    except TtsimError as error:
        if debug:
            raise
        print(f"{program}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{program}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if debug:
            raise
        print(f"{program}: internal error: {type(error).__name__}: {error} "
              "(run with --debug for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL
