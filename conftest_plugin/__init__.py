"""The pytest plugin of mock_putrecord (registered through the ``pytest11`` entry point)."""
