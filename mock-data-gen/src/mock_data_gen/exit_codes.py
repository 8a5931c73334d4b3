"""Exit codes of every ``mock-data-gen`` command, as the README's exit code table documents them."""

EXIT_OK = 0
# The command ran but its outcome is a failure: events not delivered, invalid requests found, a
# service that did not answer.
EXIT_FAILURE = 1
# Bad command-line arguments or configuration: nothing was done.
EXIT_USAGE = 2
