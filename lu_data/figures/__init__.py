"""Plotly figures built from aggregated frames (never thousands of raw bars)."""
