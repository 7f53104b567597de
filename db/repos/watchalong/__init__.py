"""Watch-alongs: a server's setting per series, the thread it posts per episode, and members' ratings.

A sub-package because db/repos holds one module per aggregate up to its fifteen; the three
repositories here belong to one feature and change together: a setting plans threads, a thread
closes its episode's ratings. They store plain values (ids, instants, stars); the feature above
decides what they mean on Discord.
"""
