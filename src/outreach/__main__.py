"""``python -m outreach``: the same as the ``outreach`` command."""

import sys

from .cli import main

sys.exit(main())
