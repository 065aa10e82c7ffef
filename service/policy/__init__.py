"""The policy staff's desk: change sets to the rule packs, checked on save, approved by a second person, published.

``models`` (the change set and the published releases), ``edits`` (a permit's fields in its YAML, every other byte
kept), ``build`` (a change set's packs built and checked beside the live ones), ``repo`` (the git repository of the
packs), ``desk`` (what author and approver do), ``impact`` (what would change for applicants).
"""
