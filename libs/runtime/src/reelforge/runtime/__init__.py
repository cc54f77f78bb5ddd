"""reelforge service plumbing shared by every service."""
