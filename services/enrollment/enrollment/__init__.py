"""Enrollment service (参保登记)."""
