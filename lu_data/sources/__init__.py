"""Sources: raw LearnUpon records from saved files, the demo, the API, the stand-in portal."""
