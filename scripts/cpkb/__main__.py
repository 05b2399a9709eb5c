"""`python -m cpkb` runs the command line."""

import sys

from cpkb.cli import main

sys.exit(main())
