"""python -m dev.sandbox up | down | status | account ACCOUNT_ID"""

import sys

from dev.sandbox.sandbox import main

sys.exit(main())
