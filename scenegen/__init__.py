"""scenegen: daily batches of diverse wide-angle indoor scene images, and the ground truth behind them.

The library has no Prefect in it (tasks/ and flows/ wrap it). Its layers, top to bottom, each importing only
what lies below it (import-linter checks this on every lint; the contracts are in pyproject.toml):

- run/       a run's resources, built once from its settings; its budget, batch jobs, disk check, summary
- backends/  what the protocols are implemented by: google/ (Gemini, Firestore, GCS) and local/
- planning/  quality/  twins/  sim/  scoring/  render/: the capabilities, which do not import each other
             but for the few ties pyproject.toml names with their reasons
- the core:  settings, catalogue (the archetypes and every threshold), models and records, errors, images
             and storage (the image and storage contracts), prices, and engine/ (worker processes, deadlines
             and usd-core's lock, under which every stage runs)
"""
