"""scenegen: daily batches of diverse wide-angle indoor scene images."""
