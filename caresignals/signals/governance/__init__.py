"""Quality governance: escalation levels, rapid quality reviews, the quality risk
register and the System Quality Group pack.
"""
