"""Cross-field rules: functions from config sections to `Problem`s, with paths from the experiment root."""
