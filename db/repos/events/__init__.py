"""Discord Scheduled Events: which series a server keeps events for, and the event made per release.

A sub-package because db/repos holds one module per aggregate up to its fifteen; the two repositories
change together (a setting decides which events exist). They store plain values (ids, instants, the
shape last sent); the feature above decides what they mean on Discord.
"""
