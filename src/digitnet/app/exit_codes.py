"""The exit statuses of the `digitnet` command."""

OK = 0
FAILED_CHECK = 1  # gradcheck found a gradient that disagrees
BAD_INPUT = 2  # one line on stderr says what and why
DIVERGED = 3
INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
