"""Spoiler safety by episode: how far a viewer (a channel, or one member) has watched a series.

Pure rules, no Discord and no SQL: every feature that shows facts asks these, so the rules live once.
"""
