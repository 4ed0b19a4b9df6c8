"""Data protection: requests of a person about the data held on them (as INTERPOL's
Commission for the Control of Files receives them), answered from what the owning
bureaus allow and acted on (correction, erasure); and the retention review that brings
records kept past their period back to their owners."""
