"""Care Signals statistics: pure, typed, vectorised numpy/scipy.

No Django and no database: everything here can be used from a notebook. Each
function mirrors a reference R package used by NHS analysts (see
``shared/reference-cases``) and agrees with it to 1e-9 relative.
"""
