"""Pure rules of the front door: visit state machines, transaction inputs, errors."""
