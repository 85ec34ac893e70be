"""The computation: encoders and the LIIF network, the latent grid, the colour at continuous points (fast and
paper-faithful), whole renders and windows, precision choice, quality metrics. Imports nothing above it."""
