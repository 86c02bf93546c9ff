"""One furnishing plan per archetype, each in its own module."""
