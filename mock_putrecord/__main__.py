"""``python -m mock_putrecord``."""
import sys

from .cli import main

sys.exit(main())
