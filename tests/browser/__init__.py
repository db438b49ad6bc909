"""Real-browser tests: qbo-wizard served to Debian's Chromium, driven through chromedriver."""
