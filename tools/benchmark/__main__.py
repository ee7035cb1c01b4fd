"""`python -m tools.benchmark`: the booking benchmark's command line (tools.benchmark.cli)."""

import sys

from tools.benchmark.cli import main

sys.exit(main())
