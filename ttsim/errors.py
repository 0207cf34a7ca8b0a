"""The one exception type that reaches the user as a one-line message."""


class TtsimError(Exception):
    """A problem the user can fix: bad input, an unknown design, a missing tool.

    The command line prints it as one line (no traceback unless --debug) and exits with 2.
    """
