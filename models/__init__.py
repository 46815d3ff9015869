"""Model loading: text encoders and trained artefacts."""
