"""`nsai synth`: a fictional region of England written as the sources councils and others send,
with the ground truth of which property every record and test query is.

Modules, in the order data flows: `names` (vocabulary), `geography` (councils, county,
settlements), `identifiers` (UPRNs, USRNs, postcodes), `properties` (streets and properties: the
truth), `noise` (how people garble addresses), `sources` (one writer per source), `truth` and
`queries` (ground truth files), `generate` (the whole run: `generate.generate`).
"""
