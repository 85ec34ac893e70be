"""Ways of looking at a photo through LIIF: crops beside bicubic, the line profile, the latent grid explained,
deep-zoom tiles, where the detail is, and the paper's evaluation."""
