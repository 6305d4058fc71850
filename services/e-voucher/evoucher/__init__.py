"""E-voucher service (医保电子凭证)."""
