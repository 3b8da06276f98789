"""Care Signals statistics: pure, typed, vectorised numpy/scipy.

No Django and no database: everything here can be used from a notebook. Each function
mirrors a reference R package used by NHS analysts and agrees with it to 1e-9 relative:

- `spc`: Making Data Count XmR charts (NHSRplotthedots), Laney p′/u′, c and run charts
- `rare`: g and t charts for rare events (Benneyan; Provost and Murray), hand-worked tests
- `intervals`: Wilson, exact/Byar and Student t intervals (PHEindicatormethods), rate ratios
- `standardise`: directly and indirectly standardised rates and ratios, ESP 2013
- `inequality`: slope and relative index of inequality (PHEindicatormethods `phe_sii`)
- `cusum`: log-likelihood ratio CUSUM charts for counts and proportions (national mortality
  outlier alerts)
- `funnels`: Spiegelhalter funnel plots (FunnelPlotR) and PHE funnel significance
- `disclosure`: small-number suppression and rounding for published counts (docs/domain.md)

`shift` (the watchlist's test of a run's mean against a baseline: quasi-Poisson with Laney's
moving-range dispersion, or means by the series' own variation) has no R reference; its tests
check it against scipy's distributions. Nor has `overdispersed` (the same question with the
dispersion fitted to the baseline: beta-binomial proportions, negative binomial counts); its
tests check it by hand, against scipy and by simulation.
"""

from caresignals.stats import (
    cusum,
    disclosure,
    funnels,
    inequality,
    intervals,
    overdispersed,
    rare,
    shift,
    spc,
    standardise,
)

__all__ = [
    "cusum",
    "disclosure",
    "funnels",
    "inequality",
    "intervals",
    "overdispersed",
    "rare",
    "shift",
    "spc",
    "standardise",
]
