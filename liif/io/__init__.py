"""Photos in and out: safe decoding, atomic writes, output sizes, the degradations real photos carry, tables."""
