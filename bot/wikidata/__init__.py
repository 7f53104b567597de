"""All of Wikidata: its SPARQL endpoint, and the aliases it gives TV characters and series."""
