"""Sub-commands of the ``mock-data-gen`` CLI, one module each (see ``mock_data_gen.cli``)."""
