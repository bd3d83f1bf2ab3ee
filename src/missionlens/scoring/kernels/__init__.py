"""Pure, vectorised numerical kernels.

:mod:`.normalise` (normalisation), :mod:`.aggregate` (aggregation and effective weights),
:mod:`.impute` (group mean/median and LOCF imputation), :mod:`.outliers` (COINr winsorisation
with log fallback) and :mod:`.moments` (closed-form skewness and kurtosis).

Every kernel takes numpy arrays of shape ``(..., units, columns)``: the last two axes are units
(such as mission-periods) and indicators or children of a node, any leading axes are batch axes
(e.g. replications), and ``NaN`` marks a missing value. Statistics over units are taken per
column and per replication, never across replications, so a batch of R replications gives,
value by value, what R separate calls give. Kernels return new arrays and never mutate their
input; bad input raises ``ValueError`` with a message naming the argument, which the recipe
steps in :mod:`missionlens.scoring.steps` turn into :class:`missionlens.errors.RecipeError`.
None imports ``scipy`` (its import alone costs seconds).
"""
