"""`python -m runtime` runs the convstudio command."""
import sys

from runtime.cli import main

sys.exit(main())
