"""Stand-in for the get-pip script ansible-test downloads to bootstrap pip in
its sanity virtualenvs: pip from the standard library's ensurepip, then the
requested pip (and packages) from the package index pip is configured for.

tests/sanity/run.sh puts it where ansible-test caches that script; ansible-test
runs it with pip's arguments."""

import subprocess
import sys

# In a child process: ensurepip turns pip's configuration off in its own process.
subprocess.run([sys.executable, "-m", "ensurepip", "--upgrade"], check=True, stdout=subprocess.DEVNULL)
# get-pip.py options with no meaning for 'pip install'.
args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", "--quiet", *args]))
