"""Scoring a reconstruction against the room it was made from: reading it (USD or JSON, any up axis and
units), aligning it (RANSAC over object centres, refined on surfaces), matching its objects and the
metrics (metrics), and the score document, its table and the report's reconstruction quality (scorecard).

May import the core, and render.geometry (boxes turn about Z as the renderer's do).
"""
