"""The watchlist: rules over every series of the region, their scoring, closed-culture
risk and the watchlist's pages and API.
"""
