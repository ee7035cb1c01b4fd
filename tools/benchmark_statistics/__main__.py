"""`python -m tools.benchmark_statistics`: the statistics benchmark's command line."""

import sys

from tools.benchmark_statistics.runner import main

sys.exit(main())
