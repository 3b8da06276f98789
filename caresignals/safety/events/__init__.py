"""Patient-safety events: recording, importing and exporting them, the rules derived
from them (candour, national requirements, referrals), FHIR, the API and public reports.
"""
