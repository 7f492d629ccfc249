"""Sources: raw LearnUpon records from saved files, the demo, the API and the stand-in portal."""
