"""Views: domain results and a translator in, a `Reply` out. Pure functions, no I/O."""
