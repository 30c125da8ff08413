"""The repository's tests (tests/integration, dev/tests, and tests/unit from a
checkout) get the workbench's test kit: the sandbox, its clients and the summary
of the security and fault properties. Not part of the collection."""

pytest_plugins = ["dev.testkit.pytest_plugin"]
