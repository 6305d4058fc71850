"""Fault injection under settlement load: `make chaos` (long) and tests/e2e/test_faults.py (short)."""
