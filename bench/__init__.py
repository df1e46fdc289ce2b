"""Benchmarks run by `make bench`: each module defines `main(argv)`, prints a table and writes
bench/results/<name>.json. Each compares against a baseline measured in the same run."""
