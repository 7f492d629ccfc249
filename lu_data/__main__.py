"""`python -m lu_data` runs the command line."""

import sys

from lu_data.cli.commands import main

sys.exit(main())
