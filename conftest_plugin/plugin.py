"""pytest fixtures and markers of mock_putrecord (no logic lives here)."""
