"""The static site: its data, privacy, pages, build and release."""
