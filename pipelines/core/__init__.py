"""The contracts every layer shares: leaf modules that import nothing else of the project.

items (Page, ArticleRecord), urls (URL identity), dates (the one date parser), fetch (what a
request carries from the spider to the store), refusals (every reason a fetch is refused) and
stats (the stats keys). See README, Architecture.
"""
