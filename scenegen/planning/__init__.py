"""What to make next: the history store's protocol and its lookback, the archetype weights that correct
for recent coverage, the local prompt writer (and the protocol the Gemini one follows), and the simulation
of days that the balance tests and benches run.

May import the core, and quality.diversity (a prompt too close to a recent one is rewritten by the measure
the diversity report uses).
"""
