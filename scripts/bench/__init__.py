"""`make bench`: the whole system on PostgreSQL and the broker, driven over HTTP, reported in docs/benchmarks.md."""
