"""Run the command line: ``python -m incidents``."""

import sys

from incidents._cli import main

sys.exit(main())
