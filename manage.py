#!/usr/bin/env python
"""Django's command-line utility; `yuebiao` wraps it."""

import sys

from yuebiao.cli import main

if __name__ == "__main__":
    sys.exit(main())
