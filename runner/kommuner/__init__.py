"""Many kommuner in one deployment: per-kommune settings files, their listing and checks."""
