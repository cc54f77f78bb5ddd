"""reelforge storage service: moves rendered videos into object storage."""
