"""What a person reads: public-opinion summaries and the daily digest."""
