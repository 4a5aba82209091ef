"""The comparison library the contracts, the CLI and the benchmarks call. No pytest here."""
