"""What a viewer may see, per series: a member's own progress and how far a server or channel goes.

A sub-package because db/repos holds one module per aggregate up to its fifteen; both repositories
here answer the same question (how far may this reader see?) and change together with its rules in
bot/spoilers/. They store plain values (an episode's season and number, a reach's kind and delay);
the core turns them into positions.
"""
