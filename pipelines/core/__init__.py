"""The contracts every layer shares: leaf modules that import nothing else of the project.

items (Page, ArticleRecord), urls (URL identity), dates (the one date parser), fetch (what a
request carries from the spider to the store), refusals (every reason a fetch is refused), stats
(the stats keys), signals (values components hand each other), clutter_rule (what a clutter rule
is) and hostile_lines (a text rule held to linear time). See README, Architecture.
"""
