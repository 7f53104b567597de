"""`make bench`: the bot measured against a bare discord.py floor, in one run, through the local double."""
