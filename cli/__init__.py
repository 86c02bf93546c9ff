"""The `scenegen` command line: above the flows, which it runs."""
