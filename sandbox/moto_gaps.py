"""Where moto lacks an API the stack needs, or answers it wrongly.

Every fix is a small function registered in FIXES and described in
sandbox/README.md ("moto gaps"). ``apply()`` runs them all before the server
starts. Nothing here is used outside the sandbox.
"""

FIXES = []


def apply() -> None:
    for fix in FIXES:
        fix()
