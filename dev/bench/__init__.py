"""The benchmarks (make bench): figures in docs/performance.md."""
