"""BS7666 addresses: rendering, numbers and ranges, postcodes."""
