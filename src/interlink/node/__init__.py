"""A national node: an embedded replica of what its bureau may see, kept current from the
central change feed, screening offline and handing its hits to central when it can."""
