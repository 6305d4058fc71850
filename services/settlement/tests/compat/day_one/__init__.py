"""What a HIS calls before its first bill, one module per capability, in the order a HIS calls them.

Each module has `COVERED` (the infnos it answers) and `run(s)`, which calls each of them once
successfully through the completeness scenario's `s.step(infno, input)`.
"""
