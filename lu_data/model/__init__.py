"""The model: what the data is: columns and dtypes, the Portal, zones, fill rules, places."""
