#!/usr/bin/env python3
"""Run moto's server with the sandbox's gap fixes (moto_gaps) applied.

moto_gaps holds every change the sandbox makes to moto; each one is listed in
sandbox/README.md with the reason and has its own test.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import moto_gaps
from moto.server import main

if __name__ == "__main__":
    moto_gaps.apply()
    args = sys.argv[1:]
    sys.exit(main(["-H", "127.0.0.1", *args]))
