"""The package version (single source, read by setup.cfg)."""
__version__ = "0.1.0"
