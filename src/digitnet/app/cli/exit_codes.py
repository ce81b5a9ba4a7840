"""The exit statuses of the `digitnet` command."""

OK = 0
FAILED_CHECK = 1  # gradcheck, learn check or doctor: a check failed
BAD_INPUT = 2  # one line on stderr says what and why
DIVERGED = 3
INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
PIPE_CLOSED = 141  # 128 + SIGPIPE: the reader of the output went away (`digitnet ... | head`)

DESCRIPTION = (
    f"{OK} success, {FAILED_CHECK} a failed check (gradcheck, learn, doctor), {BAD_INPUT} bad "
    f"input (one line on stderr;\n--debug shows the traceback), {DIVERGED} training diverged, "
    f"{INTERRUPTED} interrupted (Ctrl-C), {PIPE_CLOSED} output pipe closed."
)
# Each status and what it means, for docs/cli.md (docs/_ext/generated.py)
MEANINGS = {
    OK: "success",
    FAILED_CHECK: "a failed check (`gradcheck`, `learn check`, `doctor`)",
    BAD_INPUT: "bad input, printed as one line on stderr (a missing file, a corrupt IDX file, a "
    "bad flag; `digitnet --debug ...` shows the traceback instead)",
    DIVERGED: "training diverged (for example `--lr 1000`), with a message naming the epoch, "
    "batch and learning rate and suggesting a smaller one",
    INTERRUPTED: "interrupted by Ctrl-C (128 + SIGINT); files already saved are intact",
    PIPE_CLOSED: "output pipe closed (128 + SIGPIPE): the reader of the output went away, as in "
    "`digitnet predict model.npz *.png | head`; nothing more is printed",
}
