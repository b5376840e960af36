"""Price-quote sources, one module per provider or aggregator: requests() thin, parse() pure."""
