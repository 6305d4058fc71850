"""Runnable examples for hospital integrators."""
