"""python -m dev.sandbox up | down | status"""

import sys

from dev.sandbox.sandbox import main

sys.exit(main())
