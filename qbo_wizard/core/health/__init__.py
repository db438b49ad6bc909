"""What works and what does not: doctor, status, diagnostics, the error log and the explainer."""
