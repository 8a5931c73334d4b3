"""Every command's --help is plain text: no reStructuredText markup leaks from docstrings."""

from __future__ import annotations

import re

import pytest

from mock_data_gen.cli import COMMAND_MODULES, main

MARKUP = re.compile(r"``|:(?:class|func|meth|mod):`")


@pytest.mark.parametrize("command", COMMAND_MODULES)
def test_help_has_no_rst_markup(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert f"mock-data-gen {command}" in text
    assert not MARKUP.search(text), MARKUP.findall(text)
