"""Fine-tuning LIIF for real photos (compressed, noisy) from the official weights: data, patches, loop, card."""
