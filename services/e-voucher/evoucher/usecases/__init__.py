"""E-voucher's use cases, one module per family; each works through the store port (ports.py)."""
