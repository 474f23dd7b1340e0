"""The welfare robot's own code: letter context and foreløpig svar (fvl. § 11 a)."""
