"""Twins: a Gemini photograph made from a procedural render of the same spec. What the image model is asked
and what the photograph then carries (photograph), and the agreement check that refuses a photograph that
does not follow its reference (agreement).

May import the core only.
"""
