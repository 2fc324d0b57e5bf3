"""The front door: the `mediawatch` command, the demo, the starter configuration, generated docs.

The top layer: it may import every other layer, and nothing imports it.
"""
