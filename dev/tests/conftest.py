"""Fixtures from the workbench's test kit (the sandbox, its clients, the
summary of the security and fault properties)."""

pytest_plugins = ["dev.testkit.pytest_plugin"]
