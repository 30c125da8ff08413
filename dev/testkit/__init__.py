"""The shared test kit: what the collection's integration tests, the workbench's own tests
and the benchmarks use to drive and observe the sandbox."""
