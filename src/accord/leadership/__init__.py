"""Leaders' 360s and development plans: nominations, the rating round (run by the surveys
app's unlinkable collection), the report with rater-group suppression from the insights
engine, and the plan a leader follows with a coach or mentor."""
