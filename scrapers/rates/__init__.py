"""Official reference-rate sources, one module per central bank: requests() thin, parse() pure."""
