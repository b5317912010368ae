"""Channel payload -> one normalised appeal; duplicate keys; personal-data masking."""
