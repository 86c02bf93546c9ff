"""The backends behind the protocols, grouped by where they run: google/ (Gemini image, prompts, review and
batch jobs, Firestore history, GCS storage) and local/ (the procedural renderer, the ground-truth reviewer,
SQLite history, a local folder).

May import every capability and the core; only run.resources builds them.
"""
