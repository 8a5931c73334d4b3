"""The exit codes of every ``lake`` command, one meaning each (README, "Exit codes")."""

from typing import Final

EXIT_OK: Final = 0
# verify: a record is missing, duplicated or beyond the log; query/report/maintain: the table or
# its files could not be read, or a commit failed.
EXIT_FAILURE: Final = 1
# Bad arguments or settings, SQL that DuckDB refuses or that is not a SELECT, an optional extra
# that is not installed.
EXIT_USAGE: Final = 2
# verify could not run its check: Kafka unreachable or the topic does not exist.
EXIT_NO_TOPIC: Final = 3
# The table does not exist (as for iceberg-sink).
EXIT_NO_TABLE: Final = 4
