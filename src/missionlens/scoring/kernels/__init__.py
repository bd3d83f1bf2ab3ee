"""Pure, vectorised numerical kernels: normalisation, aggregation, imputation, outlier treatment.

Every kernel takes numpy arrays (rows are units such as mission-periods, columns are indicators
or children of a node, ``NaN`` marks a missing value) and returns new arrays; none mutates its
input. The recipe steps in :mod:`missionlens.scoring.recipe` call them.
"""
