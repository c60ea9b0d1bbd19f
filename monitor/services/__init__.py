"""services stage."""
