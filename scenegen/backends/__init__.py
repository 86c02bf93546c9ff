"""The backends behind the protocols, grouped by where they run: Google's and the embedded local ones."""
