"""Sim-ready stages: what each category is made of (physical properties), the checks of a stage (usd-core's
validators, overlapping colliders), 2 s at rest in Newton, and `scenegen validate`, which runs them all.

May import the core only. Newton and Warp (the `sim` extra) are imported only when a stage is simulated.
"""
