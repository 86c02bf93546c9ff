"""A run: its resources built once from its settings (`build_resources`, the one place a backend is built),
the budget gate that holds paid calls against MAX_COST_USD, batch jobs submitted and collected, the disk
check, the diversity report of its period and what it says about itself at the end.

The top of the library: it may import the backends, every capability and the core. Nothing in the library
imports it; tasks and flows do.
"""
