"""KS Fiks Arkiv: the arkivmelding of each sent decision over Fiks IO, and the archive's answers."""
