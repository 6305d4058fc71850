"""What a HIS or a pharmacy calls once bills exist, one module per capability.

Each module has `COVERED` (the infnos it answers) and `run(s)`, which calls each of them once
successfully through the completeness scenario's `s.step(infno, input)`; `s.his` is the signed-in
hospital (H54010000001), and run() opens its own visits and settlements where it needs them.
"""
