"""PSIRF responses: incident response plans, triage, learning responses and safety
actions.
"""
