"""The development workbench of voicestack.aws: the local sandbox, the pinned
tool build, the benchmarks and the test kit. Not part of the collection (galaxy's
build_ignore leaves it out); run from the repository root, e.g.
``python -m dev.sandbox up``."""
