"""`python -m lu_data` runs the command line."""

import sys

from lu_data.cli import main

sys.exit(main())
