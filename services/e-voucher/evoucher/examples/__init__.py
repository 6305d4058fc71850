"""Reference clients for e-voucher's callers; each is one file an integrator can copy."""
