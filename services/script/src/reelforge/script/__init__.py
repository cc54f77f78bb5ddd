"""reelforge script service: writes the spoken script for each requested video."""
