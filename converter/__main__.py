"""``python -m converter`` runs the hanji command line."""

import sys

from .cli import main

sys.exit(main())
