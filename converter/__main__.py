"""``python -m converter`` runs the hanji command line."""

import sys

from .cli import main

# Guarded: worker processes (spawn) import the main module again.
if __name__ == "__main__":
    sys.exit(main())
