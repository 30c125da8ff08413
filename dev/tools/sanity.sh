#!/usr/bin/env bash
# ansible-test sanity for the Python of the venv, on what the collection ships.
#
# ansible-test wants the collection at <root>/ansible_collections/voicestack/aws
# and resolves the venv's link to the checkout, so it runs on the contents of
# the galaxy tarball (ansible-galaxy collection build), unpacked in a
# temporary root: the development workbench (dev/) is not part of it.
#
# Each sanity test runs in a virtualenv of ansible-test's own pinned
# requirements, installed from PyPI once and cached in VOICESTACK_SANITY_HOME
# (default ~/.cache/voicestack/ansible-test). ansible-test bootstraps pip in
# them with a get-pip script from its own CI file server; dev/tools/get_pip.py
# stands in for it (ensurepip, then pip from PyPI).
set -euo pipefail
cd "$(dirname "$0")/../.."

python="${PYTHON_VERSION:-3.11}"
home="${VOICESTACK_SANITY_HOME:-$HOME/.cache/voicestack/ansible-test}"
pip_version="$(python - <<'PY'
import re
from pathlib import Path

import ansible_test

source = Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
print(re.search(r"pip='([0-9.]+)'", source.read_text()).group(1))
PY
)"
mkdir -p "$home/.ansible/test/cache"
cp dev/tools/get_pip.py "$home/.ansible/test/cache/get_pip_${pip_version//./_}.py"

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
copy="$root/ansible_collections/voicestack/aws"
mkdir -p "$copy"
ansible-galaxy collection build --output-path "$root" . >/dev/null
tar -xzf "$root"/voicestack-aws-*.tar.gz -C "$copy"
rm "$root"/voicestack-aws-*.tar.gz

# The collections galaxy.yml depends on, from the venv's ansible package, beside it.
bundled="$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/ansible_collections"
python - "$bundled" "$root/ansible_collections" <<'PY'
import os
import sys

import yaml

bundled, target = sys.argv[1:]
for name in yaml.safe_load(open("galaxy.yml"))["dependencies"]:
    namespace, collection = name.split(".")
    os.makedirs(os.path.join(target, namespace), exist_ok=True)
    os.symlink(os.path.join(bundled, namespace, collection), os.path.join(target, namespace, collection))
PY

cd "$copy"
HOME="$home" ansible-test sanity --python "$python" --color no --truncate 0 "$@"
