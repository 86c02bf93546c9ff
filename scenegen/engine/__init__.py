"""The engine every stage runs under: worker processes for the CPU-heavy work, the run's deadline that bounds
every wait, usd-core's lock, and how a process holding many images keeps its memory flat.

Part of the core: it may import the core's modules (errors, models, images), nothing above them. What a
run's workers preload is the run's to say (scenegen.run.worker_boot), so the engine names no capability.
"""
