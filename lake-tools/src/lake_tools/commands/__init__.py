"""One module per ``lake`` sub-command: its arguments and what it does with them."""
