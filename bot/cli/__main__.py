"""`python -m bot.cli` runs the `newsdigest` command line."""

import sys

from bot.cli import main

sys.exit(main())
