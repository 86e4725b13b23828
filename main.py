"""Thin entry point: start the pos-returns window."""

import sys

from ui.app import main

if __name__ == "__main__":
    sys.exit(main())
