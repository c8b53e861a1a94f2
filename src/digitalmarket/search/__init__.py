"""Search (서비스 검색): the index of the catalog's services, the facts a search filters and ranks on, and the
search page and API. A read model downstream of every stage it indexes: it follows their events
(`projections.py`, subscribed in `digitalmarket.subscribers`); no stage calls into it."""
