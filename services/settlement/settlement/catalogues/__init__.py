"""The national catalogues from the command line: publish a release from a file, generate a large
realistic catalogue (tests and the benchmark), and the demo records."""
