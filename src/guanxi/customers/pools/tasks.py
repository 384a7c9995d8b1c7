"""Jobs of the public pools (reclaim and its warnings)."""
