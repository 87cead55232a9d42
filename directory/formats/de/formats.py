# "12. März 2027", "12.–19. März 2027", "12. März–3. April 2027" (see ../en/formats.py).
DATE_FORMAT = "j. F Y"
DAY_FORMAT = "j."
DAY_MONTH_FORMAT = "j. F"
YEAR_MONTH_FORMAT = "F Y"
