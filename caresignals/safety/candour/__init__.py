"""Duty of Candour records, clocks and lists, and the referral tasks the national rules
raise.
"""
