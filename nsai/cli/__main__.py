"""`python -m nsai.cli ARGS`: the command line, as the API starts reconcile jobs with it."""

import sys

from nsai.cli import main

sys.exit(main())
