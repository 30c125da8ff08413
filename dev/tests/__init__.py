"""The workbench's own tests: the sandbox, the tool build, the bench, the test kit
and the packaging of the collection."""
