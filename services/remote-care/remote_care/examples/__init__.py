"""Reference clients for remote-care's callers; each is one file an integrator can copy."""
